// name: interests/evidence
// params: person, interest
// returns: device, content, title, via, days, day_seconds
// The viewing behind one person's interest: every watched content tagged with the interest
// or one of its descendants, per device, with the tag it reached the interest through.
MATCH (p:Person {id: $person})<-[:BELONGS_TO]-(d:Device)-[w:WATCHED]->(c:Content)
MATCH (c)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(:Interest {id: $interest})
WITH d, w, c, min(t.id) AS via
RETURN d.id AS device, c.id AS content, c.title AS title, via, w.days AS days,
       w.day_seconds AS day_seconds
ORDER BY content, device
