// name: interests/scores_in_cypher
// params: reference, half_life, taxonomy
// returns: person, interest, weight, evidence_count
// The same decayed, rolled-up weights computed set-based inside Neo4j (the benchmark's
// alternative to streaming): per person and interest, the decayed seconds of every content
// tagged with the interest or a descendant, each content counted once.
MATCH (p:Person)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(c:Content)
WITH p, c, reduce(s = 0.0, k IN range(0, size(w.days) - 1) |
       s + w.day_seconds[k] * 0.5 ^ (duration.inDays(date(w.days[k]), date($reference)).days
                                     / $half_life)) AS weight
WITH p, c, sum(weight) AS weight
MATCH (c)-[:TAGGED]->(:Interest)-[:CHILD_OF*0..]->(i:Interest {taxonomy: $taxonomy})
WITH p, i, c, max(weight) AS weight
RETURN p.id AS person, i.id AS interest, sum(weight) AS weight, count(c) AS evidence_count
