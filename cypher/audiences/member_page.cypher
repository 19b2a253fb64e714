// name: audiences/member_page
// params: id, skip, limit
// returns: member, level, persons, confidence
// A page of a version's stored members, in member order.
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember)
RETURN m.member AS member, m.level AS level, m.persons AS persons, m.confidence AS confidence
ORDER BY member
SKIP $skip LIMIT $limit
