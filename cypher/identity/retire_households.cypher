// name: identity/retire_households
// params: run_id, limit
// returns: deleted
// Delete up to $limit Household nodes no longer current (their run_id is not $run_id).
MATCH (h:Household)
WHERE h.run_id <> $run_id
WITH h LIMIT $limit
DETACH DELETE h
RETURN count(*) AS deleted
