// name: identity/retire_belongs
// params: run_id, limit
// returns: deleted
// Delete up to $limit BELONGS_TO relationships written by other runs than $run_id.
MATCH ()-[b:BELONGS_TO]->()
WHERE b.run_id <> $run_id
WITH b LIMIT $limit
DELETE b
RETURN count(*) AS deleted
