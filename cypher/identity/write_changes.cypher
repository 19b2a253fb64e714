// name: identity/write_changes
// params: run_id, rows
// returns: written
// Merge and split events of a run: (:Run)-[:RECORDED]->(:IdentityChange {run_id, level,
// kind, old_ids, new_ids, devices, links}). Rows carry those fields.
MATCH (run:Run {id: $run_id})
UNWIND $rows AS row
CREATE (run)-[:RECORDED]->(:IdentityChange {run_id: $run_id, level: row.level,
        kind: row.kind, old_ids: row.old_ids, new_ids: row.new_ids, devices: row.devices,
        links: row.links})
RETURN count(*) AS written
