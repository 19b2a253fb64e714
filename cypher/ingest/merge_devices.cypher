// name: ingest/merge_devices
// params: rows
// returns: nothing
// Devices seen in a chunk: {id, type, first, last}; type is kept once known.
UNWIND $rows AS row
MERGE (d:Device {id: row.id})
ON CREATE SET d.first_seen = row.first, d.last_seen = row.last
SET d.type = coalesce(row.type, d.type),
    d.first_seen = CASE WHEN row.first < d.first_seen THEN row.first ELSE d.first_seen END,
    d.last_seen = CASE WHEN row.last > d.last_seen THEN row.last ELSE d.last_seen END
