// name: recommend/for_person
// params: person, seeds, interests, neighbours
// returns: person, watched, seeds, neighbours, interests
// One person's recommendation inputs in one short read: what its devices watched
// (exclusions; the $seeds longest-watched are seeds), the precomputed SIMILAR neighbours of
// the seeds, and its top $interests interests. Compact rows: seeds [content, seconds],
// neighbours [seed, content, score, rank], none unless $neighbours (the API takes them
// from its in-memory index). No row when the person does not exist.
MATCH (p:Person {id: $person})
OPTIONAL MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(c:Content)
WITH p, c, sum(w.seconds) AS seconds
ORDER BY seconds DESC
WITH p, collect(c.id) AS watched,
     collect(CASE WHEN c IS NULL THEN null ELSE {node: c, seconds: seconds} END)[..$seeds] AS seeds
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
       [s IN seeds | [s.node.id, s.seconds]] AS seeds,
       neighbours, interests
