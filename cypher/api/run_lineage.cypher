// name: api/run_lineage
// params: id, upstream
// returns: batches, upstream
// What a run read: the ingest batches it recorded, and for each upstream stage the latest
// complete run that had finished when it started.
MATCH (r:Run {id: $id})
OPTIONAL MATCH (r)-[:INGESTED]->(b:IngestBatch)
WITH r, collect(b {.id, .file, .kind, .status, .accepted, .rejected}) AS batches
CALL (r) {
  OPTIONAL MATCH (u:Run {status: 'complete'})
  WHERE u.stage IN $upstream AND u.finished <= r.started
  WITH u
  ORDER BY u.finished DESC
  WITH u.stage AS stage, collect(u)[0] AS latest
  WHERE latest IS NOT NULL
  RETURN collect({id: latest.id, stage: stage, finished: toString(latest.finished)})
         AS upstream
}
RETURN batches, upstream
