// name: tools/person_sizes
// params: none
// returns: persons
// Set Person.size to its device count (after persons are written outside identity).
MATCH (p:Person)
SET p.size = COUNT { (p)<-[:BELONGS_TO]-(:Device) }
RETURN count(p) AS persons
