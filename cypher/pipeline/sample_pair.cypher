// name: pipeline/sample_pair
// params: none
// returns: device_a, device_b
// Two devices of one multi-device person (the smallest person id), for the report's sample
// explanation.
MATCH (p:Person) WHERE p.size >= 2
WITH p ORDER BY p.id LIMIT 1
MATCH (d:Device)-[:BELONGS_TO]->(p)
WITH d ORDER BY d.id LIMIT 2
WITH collect(d.id) AS pair
RETURN pair[0] AS device_a, pair[1] AS device_b
