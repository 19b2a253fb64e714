// name: ingest/chunk_done
// params: id, chunk
// returns: nothing
// Record that a chunk is written; runs in the same transaction as the chunk's data.
MATCH (b:IngestBatch {id: $id})
SET b.chunks_done = $chunk
