// name: segments/person_devices
// params: none
// returns: person, types
// Every person's device types, for segment device mixes.
MATCH (p:Person)<-[:BELONGS_TO]-(d:Device)
RETURN p.id AS person, collect(coalesce(d.type, 'unknown')) AS types
