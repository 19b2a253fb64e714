// name: identity/retire_belongs
// params: run_id, ids
// returns: deleted
// Delete the BELONGS_TO of the persons $ids (which keep their id) written by other runs
// than $run_id: their devices that moved to another person.
UNWIND $ids AS id
MATCH (:Person {id: id})<-[b:BELONGS_TO]-()
WHERE b.run_id <> $run_id
DELETE b
RETURN count(*) AS deleted
