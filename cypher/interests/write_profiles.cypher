// name: interests/write_profiles
// params: rows, run_id
// returns: nothing
// Interest profile rows {person, interest, score, lift, weight, evidence_count, last_seen}.
UNWIND $rows AS row
MATCH (p:Person {id: row.person})
MATCH (i:Interest {id: row.interest})
CREATE (p)-[:INTERESTED_IN {score: row.score, lift: row.lift, weight: row.weight,
                            evidence_count: row.evidence_count, last_seen: row.last_seen,
                            run_id: $run_id}]->(i)
