// name: ingest/merge_devices
// params: rows
// returns: nothing
// Devices seen in a chunk: {id, type, first, last} (times in epoch seconds); type is kept once known (viewing rows
// carry none).
UNWIND $rows AS row
WITH row, datetime({epochSeconds: row.first}) AS first, datetime({epochSeconds: row.last}) AS last
MERGE (d:Device {id: row.id})
ON CREATE SET d.type = row.type, d.first_seen = first, d.last_seen = last
ON MATCH SET d.type = coalesce(row.type, d.type),
    d.first_seen = CASE WHEN first < d.first_seen THEN first ELSE d.first_seen END,
    d.last_seen = CASE WHEN last > d.last_seen THEN last ELSE d.last_seen END
