// name: segments/write_members
// params: segments, persons, segment, run_id
// returns: written
// Memberships as parallel lists: person $persons[k] joins segment $segments[$segment[k]].
// The segments are new in this run, so every membership is new: CREATE.
UNWIND $segments AS id
MATCH (s:Segment {id: id})
WITH collect(s) AS nodes
WHERE size(nodes) = size($segments)
UNWIND range(0, size($persons) - 1) AS k
MATCH (p:Person {id: $persons[k]})
WITH p, nodes[$segment[k]] AS s
CREATE (p)-[:IN_SEGMENT {run_id: $run_id}]->(s)
RETURN count(*) AS written
