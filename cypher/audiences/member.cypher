// name: audiences/member
// params: id, member
// returns: member, level, persons, confidence, explanation, run_id
// One stored member of a version, with the explanation stored when it was materialised.
MATCH (:Audience {id: $id})-[:HAS_MEMBER]->(m:AudienceMember {member: $member})
RETURN m.member AS member, m.level AS level, m.persons AS persons,
       m.confidence AS confidence, m.explanation AS explanation, m.run_id AS run_id
