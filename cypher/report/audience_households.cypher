// name: report/audience_households
// params: audience, run_id
// returns: size, members
// An audience's members stored by a run, by the size (persons) of the household of their
// first person; size 0 when it has none.
MATCH (:Audience {id: $audience})-[:HAS_MEMBER]->(m:AudienceMember {run_id: $run_id})
OPTIONAL MATCH (p:Person {id: m.persons[0]})
OPTIONAL MATCH (h:Household {id: p.household})
RETURN coalesce(h.size, 0) AS size, count(*) AS members
ORDER BY size
