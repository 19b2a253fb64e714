// name: segments/clear_communities
// params: none
// returns: removed
// Remove the previous community segments and their memberships.
MATCH (s:Segment {kind: 'community'})
DETACH DELETE s
RETURN count(*) AS removed
