// name: identity/retire_memberships
// params: run_id, limit
// returns: deleted
// Delete up to $limit MEMBER_OF_HOUSEHOLD relationships written by other runs than $run_id.
MATCH ()-[m:MEMBER_OF_HOUSEHOLD]->()
WHERE m.run_id <> $run_id
WITH m LIMIT $limit
DELETE m
RETURN count(*) AS deleted
