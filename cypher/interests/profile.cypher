// name: interests/profile
// params: person
// returns: interest, name, score, lift, weight, evidence_count, last_seen, run_id
// One person's stored interest profile, strongest first.
MATCH (:Person {id: $person})-[r:INTERESTED_IN]->(i:Interest)
RETURN i.id AS interest, i.name AS name, r.score AS score, r.lift AS lift, r.weight AS weight,
       r.evidence_count AS evidence_count, r.last_seen AS last_seen, r.run_id AS run_id
ORDER BY score DESC, interest
