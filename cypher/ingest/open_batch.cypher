// name: ingest/open_batch
// params: id, file, size, kind, chunk_size, batch_rows, run_id
// returns: done_parts, chunk_size, batch_rows, older_layout
// Create or reopen the IngestBatch of a file; a reopened batch keeps its chunk size, rows
// per transaction and written parts so that a resumed file writes each part exactly once.
// `older_layout`: the batch was partly written by an ingest that counted whole chunks
// (`done_chunks`), whose chunks this one cannot line up with.
MERGE (b:IngestBatch {id: $id})
ON CREATE SET b.sha256 = $id, b.size = $size, b.kind = $kind, b.chunk_size = $chunk_size,
              b.batch_rows = $batch_rows, b.chunks_done = 0, b.done_parts = []
SET b.file = $file, b.status = 'running', b.started = datetime(), b.finished = null,
    b.error = null, b.run_id = $run_id
WITH b
MATCH (r:Run {id: $run_id})
MERGE (r)-[:INGESTED]->(b)
RETURN coalesce(b.done_parts, []) AS done_parts, b.chunk_size AS chunk_size,
       coalesce(b.batch_rows, $batch_rows) AS batch_rows,
       b.done_parts IS NULL AND size(coalesce(b.done_chunks, [])) > 0 AS older_layout
