// name: ingest/find_batch
// params: id
// returns: batch, group
// An IngestBatch by id (the sha256 of the file), to skip complete files and resume others,
// with the group its rows were folded in (files, status, how many parts it has written).
MATCH (b:IngestBatch {id: $id})
OPTIONAL MATCH (g:IngestGroup {id: b.group})
RETURN b {.*} AS batch,
       CASE WHEN g IS NULL THEN null
            ELSE g {.id, .files, .status, written: size(coalesce(g.done_parts, []))} END AS group
