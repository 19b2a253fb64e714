// name: identity/write_households
// params: run_id, rows
// returns: written
// Households of a run with their persons. Rows: {id, size, persons: [person id],
// kept: [bool]}; a person that was a member of this household id before keeps its
// MEMBER_OF_HOUSEHOLD (now carrying this run), any other gets a new one.
UNWIND $rows AS row
MERGE (h:Household {id: row.id})
SET h.run_id = $run_id, h.size = row.size
WITH h, row
UNWIND range(0, size(row.persons) - 1) AS k
MATCH (p:Person {id: row.persons[k]})
FOREACH (_ IN CASE WHEN row.kept[k] THEN [1] ELSE [] END |
  MERGE (p)-[m:MEMBER_OF_HOUSEHOLD]->(h)
  SET m.run_id = $run_id)
FOREACH (_ IN CASE WHEN row.kept[k] THEN [] ELSE [1] END |
  CREATE (p)-[:MEMBER_OF_HOUSEHOLD {run_id: $run_id}]->(h))
RETURN count(*) AS written
