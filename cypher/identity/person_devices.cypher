// name: identity/person_devices
// params: person
// returns: device
// The devices of a person.
MATCH (d:Device)-[:BELONGS_TO]->(:Person {id: $person})
RETURN d.id AS device
ORDER BY device
