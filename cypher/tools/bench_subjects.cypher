// name: tools/bench_subjects
// params: limit
// returns: devices, persons
// Up to $limit devices that watched something and the persons they belong to, as the
// subjects of the API benchmark.
MATCH (d:Device)-[:WATCHED]->()
WITH DISTINCT d
LIMIT $limit
OPTIONAL MATCH (d)-[:BELONGS_TO]->(p:Person)
RETURN collect(d.id) AS devices, collect(DISTINCT p.id) AS persons
