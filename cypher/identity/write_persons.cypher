// name: identity/write_persons
// params: run_id, rows
// returns: written
// Persons of a run with their devices. Rows: {id, size, devices: [{device, confidence}]}.
// A person keeping its id keeps its node; its run_id moves to this run.
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p.run_id = $run_id, p.size = row.size
WITH p, row
UNWIND row.devices AS member
MATCH (d:Device {id: member.device})
CREATE (d)-[:BELONGS_TO {run_id: $run_id, confidence: member.confidence}]->(p)
RETURN count(*) AS written
