// name: audiences/clear_members
// params: id, limit
// returns: deleted
// Delete up to $limit stored members of one version.
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember)
WITH m LIMIT $limit
DETACH DELETE m
RETURN count(*) AS deleted
