// name: tools/truth_identity
// params: rows, run_id
// returns: nothing
// Benchmarks and tests only: persons and households taken from a generated dataset's ground
// truth, {device, person, household, household_size}, in place of the identity stage.
UNWIND $rows AS row
MATCH (d:Device {id: row.device})
MERGE (p:Person {id: row.person})
ON CREATE SET p.run_id = $run_id, p.size = 0
MERGE (d)-[b:BELONGS_TO]->(p)
SET b.run_id = $run_id, b.confidence = 1.0
MERGE (h:Household {id: row.household})
ON CREATE SET h.run_id = $run_id, h.size = row.household_size
MERGE (p)-[m:MEMBER_OF_HOUSEHOLD]->(h)
SET m.run_id = $run_id
