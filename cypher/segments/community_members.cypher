// name: segments/community_members
// params: none
// returns: segment, run_id, persons
// The current community segments and their members (the previous run, for stability).
MATCH (s:Segment {kind: 'community'})
OPTIONAL MATCH (s)<-[:IN_SEGMENT]-(p:Person)
RETURN s.id AS segment, s.run_id AS run_id, collect(p.id) AS persons
ORDER BY segment
