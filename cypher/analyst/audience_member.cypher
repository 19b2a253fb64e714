// name: analyst/audience_member
// params: audience, member
// returns: audience, version, status, member, level, persons, confidence, explanation, run_id, paths
// Why a member is in an audience version: the explanation stored when it was materialised
// (JSON) and the member's persons with their interests and segments as paths.
// `$audience` is the version id (`name@vN`). In Browser: `:param audience => '...'`.
MATCH (a:Audience {id: $audience})-[:HAS_MEMBER]->(m:AudienceMember {member: $member})
OPTIONAL MATCH evidence = (p:Person)-[:INTERESTED_IN|IN_SEGMENT]->()
WHERE p.id IN m.persons
RETURN a.id AS audience, a.version AS version, a.status AS status, m.member AS member,
       m.level AS level, m.persons AS persons, m.confidence AS confidence,
       m.explanation AS explanation, m.run_id AS run_id, collect(evidence) AS paths
