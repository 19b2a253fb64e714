// name: segments/person_interests
// params: none
// returns: person, interests, names, tiers, scores
// Every stored interest profile, one row per person, for segment profiles.
MATCH (p:Person)-[r:INTERESTED_IN]->(i:Interest)
RETURN p.id AS person, collect(i.id) AS interests, collect(i.name) AS names,
       collect(i.tier) AS tiers, collect(r.score) AS scores
