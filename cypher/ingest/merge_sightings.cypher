// name: ingest/merge_sightings
// params: rows
// returns: nothing
// Device–identifier sightings of a chunk, one row per pair:
// {device, kind, value, network, ip_class, first, last, count, days, day_counts}.
// Per-day counts are merged into the relationship's parallel `days` / `day_counts` lists.
UNWIND $rows AS row
MATCH (d:Device {id: row.device})
MERGE (i:Identifier {kind: row.kind, value: row.value})
ON CREATE SET i.first_seen = row.first, i.last_seen = row.last, i.network = row.network,
              i.ip_class = row.ip_class
SET i.first_seen = CASE WHEN row.first < i.first_seen THEN row.first ELSE i.first_seen END,
    i.last_seen = CASE WHEN row.last > i.last_seen THEN row.last ELSE i.last_seen END
MERGE (d)-[r:SEEN_WITH]->(i)
ON CREATE SET r.count = 0, r.days = [], r.day_counts = [], r.first_seen = row.first,
              r.last_seen = row.last
WITH r, row, [k IN range(0, size(row.days) - 1) WHERE NOT row.days[k] IN r.days] AS fresh
SET r.count = r.count + row.count,
    r.first_seen = CASE WHEN row.first < r.first_seen THEN row.first ELSE r.first_seen END,
    r.last_seen = CASE WHEN row.last > r.last_seen THEN row.last ELSE r.last_seen END,
    r.day_counts = [k IN range(0, size(r.days) - 1) |
                      r.day_counts[k] + reduce(s = 0, j IN range(0, size(row.days) - 1) |
                        s + CASE WHEN row.days[j] = r.days[k] THEN row.day_counts[j] ELSE 0 END)]
                   + [k IN fresh | row.day_counts[k]],
    r.days = r.days + [k IN fresh | row.days[k]]
