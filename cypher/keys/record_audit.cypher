// name: keys/record_audit
// params: id, key_id, role, action, target, outcome, detail
// returns: id
// One audited call: who (key id and role), what action on which target, and the outcome
// (`ok` or an error code). Linked to the key when it still exists.
CREATE (e:AuditEvent {id: $id, at: datetime(), key_id: $key_id, role: $role,
                      action: $action, target: $target, outcome: $outcome, detail: $detail})
WITH e
OPTIONAL MATCH (k:ApiKey {id: $key_id})
FOREACH (_ IN CASE WHEN k IS NULL THEN [] ELSE [1] END | CREATE (k)-[:PERFORMED]->(e))
RETURN e.id AS id
