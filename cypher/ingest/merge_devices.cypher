// name: ingest/merge_devices
// params: rows
// returns: nothing
// Devices seen in a chunk: {id, type, first, last, viewed} (times in epoch seconds; `viewed`
// the latest viewing day, ISO, on viewing rows only). A new device takes the row's type; a
// known device's type is changed by the summary writer (identity/person_summary), which sees
// the change and recomputes its person's device types. `last_viewed` is the latest day the
// device watched anything, which the person summaries read for recency. Idempotent
// (minimum, maximum, first known).
UNWIND $rows AS row
WITH row, datetime({epochSeconds: row.first}) AS first, datetime({epochSeconds: row.last}) AS last
MERGE (d:Device {id: row.id})
ON CREATE SET d.type = row.type, d.first_seen = first, d.last_seen = last,
              d.last_viewed = row.viewed
ON MATCH SET d.first_seen = CASE WHEN first < d.first_seen THEN first ELSE d.first_seen END,
    d.last_seen = CASE WHEN last > d.last_seen THEN last ELSE d.last_seen END,
    d.last_viewed = CASE WHEN d.last_viewed IS NULL OR row.viewed > d.last_viewed
                         THEN coalesce(row.viewed, d.last_viewed) ELSE d.last_viewed END
