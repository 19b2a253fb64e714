// name: ingest/merge_views
// params: rows
// returns: nothing
// Viewing of a chunk, one row per (device, content):
// {device, content, first, last, count, seconds, days, day_seconds}.
// A content id not yet in the catalog gets a bare Content node the catalog fills later.
UNWIND $rows AS row
MERGE (d:Device {id: row.device})
ON CREATE SET d.first_seen = row.first, d.last_seen = row.last
MERGE (c:Content {id: row.content})
MERGE (d)-[w:WATCHED]->(c)
ON CREATE SET w.count = 0, w.seconds = 0, w.days = [], w.day_seconds = [], w.first = row.first,
              w.last = row.last
WITH w, row, [k IN range(0, size(row.days) - 1) WHERE NOT row.days[k] IN w.days] AS fresh
SET w.count = w.count + row.count,
    w.seconds = w.seconds + row.seconds,
    w.first = CASE WHEN row.first < w.first THEN row.first ELSE w.first END,
    w.last = CASE WHEN row.last > w.last THEN row.last ELSE w.last END,
    w.day_seconds = [k IN range(0, size(w.days) - 1) |
                      w.day_seconds[k] + reduce(s = 0, j IN range(0, size(row.days) - 1) |
                        s + CASE WHEN row.days[j] = w.days[k] THEN row.day_seconds[j] ELSE 0 END)]
                    + [k IN fresh | row.day_seconds[k]],
    w.days = w.days + [k IN fresh | row.days[k]]
