// name: ingest/mark_written
// params: id, part, complete
// returns: nothing
// Record that a part of a chunk is written ($part '<chunk>:<query>:<n>', in the same
// transaction as the part's rows), or that a whole chunk is ($part '<chunk>', $complete).
// Chunks of one group are written by concurrent writers and may commit out of order, so the
// group keeps the set of written parts, not a high-water mark.
MATCH (g:IngestGroup {id: $id})
SET g.done_parts = g.done_parts + $part,
    g.chunks_done = g.chunks_done + CASE WHEN $complete THEN 1 ELSE 0 END
