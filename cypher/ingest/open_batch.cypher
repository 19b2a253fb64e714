// name: ingest/open_batch
// params: id, file, size, kind, chunk_size, run_id
// returns: done_chunks, chunk_size
// Create or reopen the IngestBatch of a file; a reopened batch keeps its chunk size and
// written chunks so that a resumed file writes each chunk exactly once.
MERGE (b:IngestBatch {id: $id})
ON CREATE SET b.sha256 = $id, b.size = $size, b.kind = $kind, b.chunk_size = $chunk_size,
              b.chunks_done = 0, b.done_chunks = []
SET b.file = $file, b.status = 'running', b.started = datetime(), b.finished = null,
    b.error = null, b.run_id = $run_id
WITH b
MATCH (r:Run {id: $run_id})
MERGE (r)-[:INGESTED]->(b)
RETURN coalesce(b.done_chunks, []) AS done_chunks, b.chunk_size AS chunk_size
