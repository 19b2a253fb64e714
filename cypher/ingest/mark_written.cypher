// name: ingest/mark_written
// params: id, part, complete
// returns: nothing
// Record that a part of a chunk is written ($part '<chunk>:<query>:<n>', in the same
// transaction as the part's rows), or that a whole chunk is ($part '<chunk>', $complete).
// Chunks of one file are written by concurrent writers and may commit out of order, so the
// batch keeps the set of written parts, not a high-water mark.
MATCH (b:IngestBatch {id: $id})
SET b.done_parts = coalesce(b.done_parts, []) + $part,
    b.chunks_done = coalesce(b.chunks_done, 0) + CASE WHEN $complete THEN 1 ELSE 0 END
