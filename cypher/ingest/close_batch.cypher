// name: ingest/close_batch
// params: id, status, read, accepted, rejected, duplicates, error
// returns: nothing
// Close a batch as complete or failed with its counts.
MATCH (b:IngestBatch {id: $id})
SET b.status = $status, b.finished = datetime(), b.read = $read, b.accepted = $accepted,
    b.rejected = $rejected, b.duplicates = $duplicates, b.error = $error
