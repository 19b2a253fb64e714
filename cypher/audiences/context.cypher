// name: audiences/context
// params: persons, purpose
// returns: person, household, household_size, household_run, devices, logins, granted, withdrawn
// Identity and consent facts of each person: its household, its devices with their
// BELONGS_TO confidence and run, and how many distinct logins seen with its devices granted,
// withdrew, or have no record for $purpose (counts only: no identifier value leaves Neo4j).
UNWIND $persons AS pid
MATCH (p:Person {id: pid})
OPTIONAL MATCH (p)-[m:MEMBER_OF_HOUSEHOLD]->(h:Household)
WITH p, h, m
RETURN p.id AS person, h.id AS household, h.size AS household_size, m.run_id AS household_run,
       COLLECT {
         MATCH (p)<-[b:BELONGS_TO]-(d:Device)
         RETURN {device: d.id, type: d.type, confidence: b.confidence, run_id: b.run_id} AS x
         ORDER BY d.id } AS devices,
       COUNT {
         MATCH (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(l:Identifier {kind: 'login'})
         RETURN DISTINCT l } AS logins,
       COUNT {
         MATCH (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(l:Identifier {kind: 'login'})
               -[k:CONSENTED]->(:Purpose {name: $purpose})
         WHERE k.granted = true
         RETURN DISTINCT l } AS granted,
       COUNT {
         MATCH (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(l:Identifier {kind: 'login'})
               -[k:CONSENTED]->(:Purpose {name: $purpose})
         WHERE k.granted = false
         RETURN DISTINCT l } AS withdrawn
