// name: analyst/person_graph
// params: person
// returns: paths
// A person's graph for Neo4j Browser: its devices and the identifiers they were seen with,
// its household, interests and segments. In Browser: `:param person => 'p-...'`, then run.
MATCH (p:Person {id: $person})
OPTIONAL MATCH devices = (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(:Identifier)
OPTIONAL MATCH household = (p)-[:MEMBER_OF_HOUSEHOLD]->(:Household)
OPTIONAL MATCH interests = (p)-[r:INTERESTED_IN]->(:Interest)
OPTIONAL MATCH segments = (p)-[:IN_SEGMENT]->(:Segment)
RETURN collect(DISTINCT devices) + collect(DISTINCT household)
       + collect(DISTINCT interests) + collect(DISTINCT segments) AS paths
