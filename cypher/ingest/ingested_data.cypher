// name: ingest/ingested_data
// params: none
// returns: found
// Whether the graph holds ingested data (a device, or a batch of any status): a first load
// may then go through neo4j-admin import; otherwise ingest merges into what is there.
RETURN EXISTS { MATCH (:Device) } OR EXISTS { MATCH (:IngestBatch) } AS found
