// name: identity/write_persons
// params: run_id, rows
// returns: written
// Persons of a run with their summary and devices. Rows: {id, size, device_types,
// last_viewed, withdrawn, household, devices: [id], confidence: [float], kept: [bool]},
// the three lists in step; the summary fields as in identity/person_summary. A person
// keeping its id keeps its node; a device that belonged to it before (`kept`) keeps its
// BELONGS_TO, now carrying this run, and any other gets a new one.
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p.run_id = $run_id, p.size = row.size, p.device_types = row.device_types,
    p.last_viewed = row.last_viewed, p.withdrawn = row.withdrawn, p.household = row.household
WITH p, row
UNWIND range(0, size(row.devices) - 1) AS k
MATCH (d:Device {id: row.devices[k]})
FOREACH (_ IN CASE WHEN row.kept[k] THEN [1] ELSE [] END |
  MERGE (d)-[b:BELONGS_TO]->(p)
  SET b.run_id = $run_id, b.confidence = row.confidence[k])
FOREACH (_ IN CASE WHEN row.kept[k] THEN [] ELSE [1] END |
  CREATE (d)-[:BELONGS_TO {run_id: $run_id, confidence: row.confidence[k]}]->(p))
RETURN count(*) AS written
