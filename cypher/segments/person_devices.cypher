// name: segments/person_devices
// params: none
// returns: persons, types
// Every (person, device type) pair of BELONGS_TO as two parallel lists in one row, for
// segment device mixes.
MATCH (p:Person)<-[:BELONGS_TO]-(d:Device)
RETURN collect(p.id) AS persons, collect(coalesce(d.type, 'unknown')) AS types
