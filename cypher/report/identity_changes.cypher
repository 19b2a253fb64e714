// name: report/identity_changes
// params: run_id, limit
// returns: level, kind, old_ids, new_ids, devices
// The first $limit merges and splits a run recorded, largest first.
MATCH (:Run {id: $run_id})-[:RECORDED]->(c:IdentityChange)
RETURN c.level AS level, c.kind AS kind, c.old_ids AS old_ids, c.new_ids AS new_ids,
       c.devices AS devices
ORDER BY size(c.devices) DESC, level, kind, old_ids
LIMIT $limit
