// name: recommend/for_device
// params: device, seeds, interests, neighbours, half_life
// returns: person, watched, seeds, neighbours, interests
// One device's recommendation inputs in one short read: what it watched (exclusions), its
// $seeds best seeds, the precomputed SIMILAR neighbours of the seeds, and its person's top
// $interests interests. A seed's score is its watch time decayed by age: each day's seconds
// count 0.5 ^ (days before the device's latest viewing day / $half_life); ties go to the
// later `last` view, then the longer total watch, then the smaller content id. Compact rows:
// seeds [content, seconds, recent (decayed seconds), age (days before the latest viewing
// day)], neighbours [seed, content, score, rank], none unless $neighbours (the API takes
// them from its in-memory index). No row when the device does not exist.
MATCH (d:Device {id: $device})
OPTIONAL MATCH (d)-[:BELONGS_TO]->(p:Person)
CALL (d) {
  OPTIONAL MATCH (d)-[w:WATCHED]->(:Content)
  RETURN date(max(reduce(m = '', x IN w.days | CASE WHEN x > m THEN x ELSE m END)))
         AS reference
}
OPTIONAL MATCH (d)-[w:WATCHED]->(c:Content)
WITH p, c, w.seconds AS seconds, w.last AS last,
     CASE WHEN w IS NULL THEN 0.0 ELSE reduce(s = 0.0, k IN range(0, size(w.days) - 1) |
       s + w.day_seconds[k] * 0.5 ^ (toFloat(duration.inDays(date(w.days[k]), reference).days)
                                     / toFloat($half_life))) END AS recent,
     CASE WHEN w IS NULL THEN null
          ELSE duration.inDays(date(reduce(m = '', x IN w.days | CASE WHEN x > m THEN x ELSE m END)),
                              reference).days END AS age
ORDER BY recent DESC, last DESC, seconds DESC, c.id
WITH p, collect(c.id) AS watched,
     collect(CASE WHEN c IS NULL THEN null
             ELSE {node: c, seconds: seconds, recent: recent, age: age} END)[..$seeds] AS seeds
CALL (seeds) {
  UNWIND CASE WHEN $neighbours THEN seeds ELSE [] END AS seed
  WITH seed.node AS seed_node
  MATCH (seed_node)-[s:SIMILAR]->(n:Content)
  RETURN collect([seed_node.id, n.id, s.score, s.rank]) AS neighbours
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
RETURN p.id AS person, watched,
       [s IN seeds | [s.node.id, s.seconds, s.recent, s.age]] AS seeds,
       neighbours, interests
