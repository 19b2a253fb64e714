// name: identity/write_households
// params: run_id, rows
// returns: written
// Households of a run with their persons. Rows: {id, size, persons: [person id]}.
UNWIND $rows AS row
MERGE (h:Household {id: row.id})
SET h.run_id = $run_id, h.size = row.size
WITH h, row
UNWIND row.persons AS person
MATCH (p:Person {id: person})
CREATE (p)-[:MEMBER_OF_HOUSEHOLD {run_id: $run_id}]->(h)
RETURN count(*) AS written
