// name: tools/persons_of_logins
// params: logins
// returns: person
// Persons with a device seen with one of the given login pseudonyms (consent truth checks).
UNWIND $logins AS value
MATCH (:Identifier {kind: 'login', value: value})<-[:SEEN_WITH]-(:Device)-[:BELONGS_TO]->(p:Person)
RETURN DISTINCT p.id AS person
