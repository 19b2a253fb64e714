// name: recommend/for_person
// params: persons, interests
// returns: subject, person, watches, interests
// Persons' recommendation inputs in one short read, a row per person that exists (misses
// that arrive together are read together): everything its devices watched, as stored (one
// entry per device and content), and its top $interests interests. Compact rows: watches
// [content, days (ISO dates), day_seconds, seconds, last (epoch nanoseconds of the latest
// view)]. `seeds.rank_watches` adds up a content's entries over the devices and computes
// the seeds, their decay and their order.
UNWIND $persons AS id
MATCH (p:Person {id: id})
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(c:Content)
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
RETURN p.id AS subject, p.id AS person, watches, interests
