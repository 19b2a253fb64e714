// name: segments/clear_members
// params: limit
// returns: deleted
// Remove up to $limit memberships of community segments (called until none is left, then
// segments/clear_communities removes the segments).
MATCH (:Segment {kind: 'community'})<-[r:IN_SEGMENT]-(:Person)
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
