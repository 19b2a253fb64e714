// name: ingest/groups_of_kind
// params: kind
// returns: id, status
// Every IngestGroup of one record type, with its status (the duplicate-event ledger keeps
// the event ids of complete groups only).
MATCH (g:IngestGroup {kind: $kind})
RETURN g.id AS id, g.status AS status
