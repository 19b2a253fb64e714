// name: ingest/find_batch
// params: id
// returns: batch
// An IngestBatch by id (the sha256 of the file), to skip complete files and resume others.
MATCH (b:IngestBatch {id: $id})
RETURN b {.*} AS batch
