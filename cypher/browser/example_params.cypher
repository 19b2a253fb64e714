// name: browser/example_params
// params: none
// returns: one value per statement, named after the Browser parameter it sets
// Example values for the analyst queries, one statement per parameter; the Browser guide
// turns each into a `:param NAME => EXPRESSION` cell (one line each, evaluated by the
// server, so the guide itself holds no data). A person with the most devices; a device of a
// person with other devices, that watched content with SIMILAR neighbours, and one such
// neighbour; the first audience with stored members and its first member; the largest
// segment.
RETURN COLLECT { MATCH (p:Person) RETURN p.id ORDER BY p.size DESC, p.id LIMIT 1 }[0] AS person;
RETURN COLLECT { MATCH (d:Device) WHERE EXISTS { (d)-[:BELONGS_TO]->(:Person)<-[:BELONGS_TO]-(o:Device) WHERE o <> d } AND EXISTS { (d)-[:WATCHED]->(:Content)-[:SIMILAR]->(:Content) } RETURN d.id ORDER BY d.id LIMIT 1 }[0] AS device;
RETURN COLLECT { MATCH (d:Device) WHERE EXISTS { (d)-[:BELONGS_TO]->(:Person)<-[:BELONGS_TO]-(o:Device) WHERE o <> d } AND EXISTS { (d)-[:WATCHED]->(:Content)-[:SIMILAR]->(:Content) } WITH d ORDER BY d.id LIMIT 1 MATCH (d)-[:WATCHED]->(:Content)-[:SIMILAR]->(c:Content) RETURN c.id ORDER BY c.id LIMIT 1 }[0] AS content;
RETURN COLLECT { MATCH (a:Audience) WHERE EXISTS { (a)-[:HAS_MEMBER]->(:AudienceMember) } RETURN a.id ORDER BY a.id LIMIT 1 }[0] AS audience;
RETURN COLLECT { MATCH (a:Audience)-[:HAS_MEMBER]->(m:AudienceMember) WITH a, m ORDER BY a.id, m.member LIMIT 1 RETURN m.member }[0] AS member;
RETURN COLLECT { MATCH (s:Segment) RETURN s.id ORDER BY s.size DESC, s.id LIMIT 1 }[0] AS segment;
RETURN 10 AS limit
