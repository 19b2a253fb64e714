// name: ingest/merge_views
// params: rows
// returns: nothing
// Viewing of a chunk, one row per (device, content):
// {device, content, first, last, count, seconds, days, day_seconds}; the endpoints are found
// by their keys through the hinted constraints as in ingest/merge_sightings (a missing one
// fails the transaction).
UNWIND $rows AS row
OPTIONAL MATCH (d:Device {id: row.device})
  USING INDEX d:Device(id)
OPTIONAL MATCH (c:Content {id: row.content})
  USING INDEX c:Content(id)
WITH row, d, c, datetime({epochSeconds: row.first}) AS first,
     datetime({epochSeconds: row.last}) AS last
MERGE (d)-[w:WATCHED]->(c)
ON CREATE SET w.count = row.count, w.seconds = row.seconds, w.days = row.days,
              w.day_seconds = row.day_seconds, w.first = first, w.last = last
ON MATCH SET
    w.count = w.count + row.count,
    w.seconds = w.seconds + row.seconds,
    w.first = CASE WHEN first < w.first THEN first ELSE w.first END,
    w.last = CASE WHEN last > w.last THEN last ELSE w.last END,
    w.day_seconds = [k IN range(0, size(w.days) - 1) |
                      w.day_seconds[k] + reduce(s = 0, j IN range(0, size(row.days) - 1) |
                        s + CASE WHEN row.days[j] = w.days[k] THEN row.day_seconds[j] ELSE 0 END)]
                    + [k IN range(0, size(row.days) - 1) WHERE NOT row.days[k] IN w.days |
                       row.day_seconds[k]],
    w.days = w.days + [day IN row.days WHERE NOT day IN w.days]
