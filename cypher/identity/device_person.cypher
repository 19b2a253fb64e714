// name: identity/device_person
// params: device
// returns: device, type, person, person_size, run_id, confidence, household, household_size
// A device with its current person and household (nulls when it has none).
MATCH (d:Device {id: $device})
OPTIONAL MATCH (d)-[b:BELONGS_TO]->(p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN d.id AS device, d.type AS type, p.id AS person, p.size AS person_size,
       p.run_id AS run_id, b.confidence AS confidence, h.id AS household,
       h.size AS household_size
