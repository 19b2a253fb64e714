// name: audiences/explained_page
// params: id, skip, limit
// returns: member, level, persons, confidence, explanation
// A page of a version's stored members, in member order, each with the explanation stored
// when it was materialised: one read for a page of `members?explain=true`.
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember)
RETURN m.member AS member, m.level AS level, m.persons AS persons, m.confidence AS confidence,
       m.explanation AS explanation
ORDER BY member
SKIP $skip LIMIT $limit
