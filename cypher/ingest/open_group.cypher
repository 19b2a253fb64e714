// name: ingest/open_group
// params: id, files, names, kind, chunk_size, batch_rows, run_id
// returns: done_parts, chunk_size, batch_rows
// Create or reopen the IngestGroup of files folded together ($files: their sha256, in the
// order their rows are read). A reopened group keeps its chunk size, rows per transaction
// and written parts, so that a resumed group cuts the same parts and writes each once.
MERGE (g:IngestGroup {id: $id})
ON CREATE SET g.files = $files, g.kind = $kind, g.chunk_size = $chunk_size,
              g.batch_rows = $batch_rows, g.chunks_done = 0, g.done_parts = []
SET g.names = $names, g.status = 'running', g.started = datetime(), g.finished = null,
    g.run_id = $run_id
RETURN g.done_parts AS done_parts, g.chunk_size AS chunk_size, g.batch_rows AS batch_rows
