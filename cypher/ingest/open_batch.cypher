// name: ingest/open_batch
// params: id, file, size, kind, group, run_id
// returns: nothing
// Create or reopen the IngestBatch of a file, as a member of the group its rows are folded
// in; the run that reads it is linked to it.
MERGE (b:IngestBatch {id: $id})
ON CREATE SET b.sha256 = $id, b.size = $size, b.kind = $kind
SET b.file = $file, b.group = $group, b.status = 'running', b.started = datetime(),
    b.finished = null, b.error = null, b.run_id = $run_id
WITH b
MATCH (r:Run {id: $run_id})
MERGE (r)-[:INGESTED]->(b)
