// name: ingest/open_group
// params: id, files, names, kind, chunk_size, batch_rows, writer, partitions, run_id
// returns: done_parts, chunk_size, batch_rows, writer, partitions
// Create or reopen the IngestGroup of files folded together ($files: their sha256, in the
// order their rows are read). A reopened group keeps its chunk size, rows per transaction
// and written parts, so that a resumed group cuts the same parts and writes each once. Its
// writer ('unwind', the embedded path's; 'connector', the Spark connector's, which cuts its
// parts per Spark partition, $partitions of them) is kept too once a part is written: parts
// of one writer mean nothing to the other. A group written before writers were recorded
// was written by 'unwind'.
MERGE (g:IngestGroup {id: $id})
ON CREATE SET g.files = $files, g.kind = $kind, g.chunk_size = $chunk_size,
              g.batch_rows = $batch_rows, g.chunks_done = 0, g.done_parts = []
WITH g, size(g.done_parts) = 0 AS fresh
SET g.names = $names, g.status = 'running', g.started = datetime(), g.finished = null,
    g.run_id = $run_id,
    g.writer = CASE WHEN fresh THEN $writer ELSE coalesce(g.writer, 'unwind') END,
    g.partitions = CASE WHEN fresh THEN $partitions ELSE g.partitions END
RETURN g.done_parts AS done_parts, g.chunk_size AS chunk_size, g.batch_rows AS batch_rows,
       g.writer AS writer, g.partitions AS partitions
