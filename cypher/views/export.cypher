// name: views/export
// params: none
// returns: device, content, first, last, count, seconds, days, day_seconds
// Every WATCHED aggregate with all its properties, one row per relationship, in the shape
// of the fold's views.parquet (first and last in epoch seconds). For small graphs: tests
// and hand exports; the stages read views/watched in blocks.
MATCH (d:Device)-[w:WATCHED]->(c:Content)
RETURN d.id AS device, c.id AS content, w.first.epochSeconds AS first,
       w.last.epochSeconds AS last, w.count AS count, w.seconds AS seconds, w.days AS days,
       w.day_seconds AS day_seconds
ORDER BY device, content
