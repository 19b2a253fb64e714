// name: interests/write_profiles
// params: interests, persons, starts, interest, score, lift, weight, evidence_count, last_seen, run_id
// returns: written
// A block of interest profiles as parallel lists: person k's scores are entries
// $starts[k] .. $starts[k + 1] - 1 of $interest (a position in $interests), $score, $lift,
// $weight, $evidence_count and $last_seen. The run cleared the previous profiles, so every
// relationship is new: CREATE, one person lookup per person, the interests looked up once.
UNWIND $interests AS id
MATCH (i:Interest {id: id})
WITH collect(i) AS nodes
WHERE size(nodes) = size($interests)
UNWIND range(0, size($persons) - 1) AS k
MATCH (p:Person {id: $persons[k]})
UNWIND range($starts[k], $starts[k + 1] - 1) AS j
WITH p, nodes[$interest[j]] AS i, j
CREATE (p)-[:INTERESTED_IN {score: $score[j], lift: $lift[j], weight: $weight[j],
                            evidence_count: $evidence_count[j], last_seen: $last_seen[j],
                            run_id: $run_id}]->(i)
RETURN count(*) AS written
