// name: ingest/close_group
// params: id, status
// returns: nothing
// Close a group as complete (every chunk written) or failed.
MATCH (g:IngestGroup {id: $id})
SET g.status = $status, g.finished = datetime()
