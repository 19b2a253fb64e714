// name: identity/retire_memberships
// params: run_id, ids
// returns: deleted
// Delete the MEMBER_OF_HOUSEHOLD of the households $ids (which keep their id) written by
// other runs than $run_id: their persons that moved to another household or are gone.
UNWIND $ids AS id
MATCH (:Household {id: id})<-[m:MEMBER_OF_HOUSEHOLD]-()
WHERE m.run_id <> $run_id
DELETE m
RETURN count(*) AS deleted
