// name: identity/current_persons
// params: none
// returns: device, person, household
// The published partition: each device's person and that person's household.
MATCH (d:Device)-[:BELONGS_TO]->(p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN d.id AS device, p.id AS person, h.id AS household
