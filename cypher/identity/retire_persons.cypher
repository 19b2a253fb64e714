// name: identity/retire_persons
// params: run_id, limit
// returns: deleted
// Delete up to $limit Person nodes no longer current (their run_id is not $run_id).
MATCH (p:Person)
WHERE p.run_id <> $run_id
WITH p LIMIT $limit
DETACH DELETE p
RETURN count(*) AS deleted
