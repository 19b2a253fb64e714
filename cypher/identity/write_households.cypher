// name: identity/write_households
// params: run_id, rows
// returns: written
// Households of a run with their persons. Rows: {id, size, stay: [person id], join:
// [person id]}: persons that were members of this household id before keep their
// MEMBER_OF_HOUSEHOLD (found from the household), now carrying this run; the others get a
// new one.
UNWIND $rows AS row
MERGE (h:Household {id: row.id})
SET h.run_id = $run_id, h.size = row.size
WITH h, row
CALL (h, row) {
  OPTIONAL MATCH (h)<-[m:MEMBER_OF_HOUSEHOLD]-(p:Person)
  WHERE p.id IN row.stay
  SET m.run_id = $run_id
  RETURN count(m) AS kept
}
CALL (h, row) {
  UNWIND row.join AS person
  MATCH (p:Person {id: person})
  CREATE (p)-[:MEMBER_OF_HOUSEHOLD {run_id: $run_id}]->(h)
  RETURN count(*) AS created
}
RETURN sum(kept + created) AS written
