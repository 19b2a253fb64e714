// name: views/owners
// params: none
// returns: devices, persons
// Every device that belongs to a person, and its person, as two parallel lists in one row
// (the driver's cost is per record and per nested value, not per list element).
MATCH (d:Device)-[:BELONGS_TO]->(p:Person)
RETURN collect(d.id) AS devices, collect(p.id) AS persons
