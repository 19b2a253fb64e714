// name: recommend/for_device
// params: device, interests
// returns: person, watches, interests
// One device's recommendation inputs in one short read: everything it watched, as stored,
// and its person's top $interests interests. Compact rows: watches [content, days (ISO
// dates), day_seconds, seconds, last (epoch nanoseconds of its latest view)]. The seeds,
// their decay and their order are computed from these by `seeds.rank_watches`, so the
// query does no date arithmetic. No row when the device does not exist.
MATCH (d:Device {id: $device})
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
RETURN p.id AS person, watches, interests
