// name: recommend/for_device
// params: devices, interests
// returns: subject, person, watches, interests
// Devices' recommendation inputs in one short read, a row per device that exists (misses
// that arrive together are read together): everything it watched, as stored, and its
// person's top $interests interests. Compact rows: watches [content, days (ISO dates),
// day_seconds, seconds, last (epoch nanoseconds of its latest view)]. The seeds, their
// decay and their order are computed from these by `seeds.rank_watches`, so the query does
// no date arithmetic.
UNWIND $devices AS id
MATCH (d:Device {id: id})
OPTIONAL MATCH (d)-[:BELONGS_TO]->(p:Person)
CALL (d) {
  MATCH (d)-[w:WATCHED]->(c:Content)
  RETURN collect([c.id, w.days, w.day_seconds, w.seconds,
                  w.last.epochSeconds * 1000000000 + w.last.nanosecond]) AS watches
}
CALL (p) {
  OPTIONAL MATCH (p)-[r:INTERESTED_IN]->(i:Interest)
  WITH i, r
  ORDER BY r.score DESC, i.id
  LIMIT $interests
  RETURN collect(CASE WHEN i IS NULL THEN null
                 ELSE {interest: i.id, name: i.name, score: r.score, run_id: r.run_id} END)
         AS interests
}
RETURN d.id AS subject, p.id AS person, watches, interests
