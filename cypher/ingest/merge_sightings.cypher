// name: ingest/merge_sightings
// params: rows
// returns: nothing
// Device–identifier sightings of a chunk, one row per pair:
// {device, kind, value, first, last, count, days, day_counts}. Devices and identifiers are
// merged before this runs. Per-day counts are merged into the parallel `days` / `day_counts`
// lists of an existing relationship; a new one takes the chunk's lists as they are.
// MERGE rather than MATCH on the endpoints (they exist already) pins the plan to the
// uniqueness constraints' index seeks: with the statistics of a fresh or just-reset graph the
// planner otherwise picks an index scan per row, which is quadratic in the chunk.
UNWIND $rows AS row
WITH row, datetime({epochSeconds: row.first}) AS first, datetime({epochSeconds: row.last}) AS last
MERGE (d:Device {id: row.device})
MERGE (i:Identifier {kind: row.kind, value: row.value})
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
