// name: segments/write_members
// params: rows, run_id
// returns: nothing
// Memberships {person, segment}.
UNWIND $rows AS row
MATCH (p:Person {id: row.person})
MATCH (s:Segment {id: row.segment})
CREATE (p)-[:IN_SEGMENT {run_id: $run_id}]->(s)
