// name: ingest/merge_identifiers
// params: rows
// returns: nothing
// Identifiers seen in a chunk, one row each: {kind, value, network, ip_class, first, last}.
// Written once per chunk so that hot identifiers (CGNAT IPs) are touched once, not per event.
// Idempotent.
UNWIND $rows AS row
WITH row, datetime({epochSeconds: row.first}) AS first, datetime({epochSeconds: row.last}) AS last
MERGE (i:Identifier {kind: row.kind, value: row.value})
ON CREATE SET i.first_seen = first, i.last_seen = last, i.network = row.network,
              i.ip_class = row.ip_class
ON MATCH SET i.first_seen = CASE WHEN first < i.first_seen THEN first ELSE i.first_seen END,
             i.last_seen = CASE WHEN last > i.last_seen THEN last ELSE i.last_seen END
