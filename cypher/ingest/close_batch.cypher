// name: ingest/close_batch
// params: id, status, read, accepted, rejected, duplicates, error, last_day
// returns: nothing
// Close a batch as complete or failed with its counts and the UTC day of its latest event.
MATCH (b:IngestBatch {id: $id})
SET b.status = $status, b.finished = datetime(), b.read = $read, b.accepted = $accepted,
    b.rejected = $rejected, b.duplicates = $duplicates, b.error = $error,
    b.last_day = $last_day
