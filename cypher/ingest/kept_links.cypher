// name: ingest/kept_links
// params: none
// returns: key, event
// Which API key performed which audited action, carried into the new database.
MATCH (k:ApiKey)-[:PERFORMED]->(e:AuditEvent)
RETURN k.id AS key, e.id AS event
