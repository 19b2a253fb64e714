// name: audiences/member_of_person
// params: id, person
// returns: member, level, persons, confidence, explanation, run_id
// The stored member of a version a person is behind (a household or one of its devices).
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember)
WHERE $person IN m.persons
RETURN m.member AS member, m.level AS level, m.persons AS persons,
       m.confidence AS confidence, m.explanation AS explanation, m.run_id AS run_id
ORDER BY member
LIMIT 1
