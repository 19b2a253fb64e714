// name: audiences/stored_members
// params: id
// returns: member, persons, confidence, explanation
// Every stored member of a version with its explanation (export, diff, verification).
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember)
RETURN m.member AS member, m.persons AS persons, m.confidence AS confidence,
       m.explanation AS explanation
ORDER BY member
