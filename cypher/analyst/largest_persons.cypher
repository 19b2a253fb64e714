// name: analyst/largest_persons
// params: limit
// returns: person, devices, device_types, household, household_persons, run_id
// The largest persons by devices: where over-merging would show first.
MATCH (p:Person)<-[:BELONGS_TO]-(d:Device)
WITH p, count(d) AS devices, collect(DISTINCT d.type) AS device_types
ORDER BY devices DESC, p.id
LIMIT $limit
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN p.id AS person, devices, device_types, h.id AS household,
       COUNT { (h)<-[:MEMBER_OF_HOUSEHOLD]-(:Person) } AS household_persons, p.run_id AS run_id
ORDER BY devices DESC, person
