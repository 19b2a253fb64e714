// name: ingest/chunk_done
// params: id, chunk
// returns: nothing
// Record that a chunk is written; runs in the same transaction as the chunk's data. Chunks
// of one file are written by concurrent writers and may commit out of order, so the batch
// keeps the set of written chunk numbers, not a high-water mark.
MATCH (b:IngestBatch {id: $id})
SET b.done_chunks = coalesce(b.done_chunks, []) + $chunk
SET b.chunks_done = size(b.done_chunks)
