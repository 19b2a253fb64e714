// name: audiences/withdrawn_persons
// params: persons, purpose
// returns: person
// Which of $persons now have a login, seen with one of their devices, that withdrew consent
// for $purpose; persons no longer in the graph are returned too (nothing vouches for them).
UNWIND $persons AS pid
OPTIONAL MATCH (p:Person {id: pid})
WITH pid, p
WHERE p IS NULL OR EXISTS {
  MATCH (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(:Identifier {kind: 'login'})
        -[k:CONSENTED]->(:Purpose {name: $purpose})
  WHERE k.granted = false }
RETURN pid AS person
