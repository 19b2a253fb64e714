// name: identity/write_persons
// params: run_id, rows
// returns: written
// Persons of a run with their devices. Rows: {id, size, stay: {device id: confidence},
// join: [{device, confidence}]}; their summary is written afterwards by its one writer,
// identity/person_summary. A person keeping its id
// keeps its node; its devices that stay keep their BELONGS_TO (found from the person, whose
// few relationships are quick to walk), now carrying this run; the devices that join get a
// new one. `written` counts the devices of the rows found in the graph.
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p.run_id = $run_id, p.size = row.size
WITH p, row
CALL (p, row) {
  OPTIONAL MATCH (p)<-[b:BELONGS_TO]-(d:Device)
  WHERE row.stay[d.id] IS NOT NULL
  SET b.run_id = $run_id, b.confidence = row.stay[d.id]
  RETURN count(b) AS kept
}
CALL (p, row) {
  UNWIND row.join AS member
  MATCH (d:Device {id: member.device})
  CREATE (d)-[:BELONGS_TO {run_id: $run_id, confidence: member.confidence}]->(p)
  RETURN count(*) AS created
}
RETURN sum(kept + created) AS written
