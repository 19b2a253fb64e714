// name: ingest/merge_sightings
// params: rows
// returns: nothing
// Device–identifier sightings of a chunk, one row per pair:
// {device, kind, value, first, last, count, days, day_counts}. The endpoints, which
// ingest/merge_devices and ingest/merge_identifiers wrote for the chunk, are found by their
// own keys through the uniqueness constraints (element ids are stable only within one
// transaction), which the hints name: left to the statistics of a small or just-reset graph
// the planner may take the kind index or scan the identifiers, and a chunk grows quadratic.
// A node that is gone (the graph reset under a running ingest) leaves the endpoint null, and
// MERGE then fails the whole transaction rather than drop the row.
// Per-day counts are merged into the parallel `days` / `day_counts` lists of an existing
// relationship; a new one takes the chunk's lists as they are.
UNWIND $rows AS row
OPTIONAL MATCH (d:Device {id: row.device})
  USING INDEX d:Device(id)
OPTIONAL MATCH (i:Identifier {kind: row.kind, value: row.value})
  USING INDEX i:Identifier(kind, value)
WITH row, d, i, datetime({epochSeconds: row.first}) AS first,
     datetime({epochSeconds: row.last}) AS last
MERGE (d)-[r:SEEN_WITH]->(i)
ON CREATE SET r.count = row.count, r.days = row.days, r.day_counts = row.day_counts,
              r.first_seen = first, r.last_seen = last
ON MATCH SET
    r.count = r.count + row.count,
    r.first_seen = CASE WHEN first < r.first_seen THEN first ELSE r.first_seen END,
    r.last_seen = CASE WHEN last > r.last_seen THEN last ELSE r.last_seen END,
    r.day_counts = [k IN range(0, size(r.days) - 1) |
                      r.day_counts[k] + reduce(s = 0, j IN range(0, size(row.days) - 1) |
                        s + CASE WHEN row.days[j] = r.days[k] THEN row.day_counts[j] ELSE 0 END)]
                   + [k IN range(0, size(row.days) - 1) WHERE NOT row.days[k] IN r.days |
                      row.day_counts[k]],
    r.days = r.days + [day IN row.days WHERE NOT day IN r.days]
