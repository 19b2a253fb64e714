// name: recommend/views
// params: none
// returns: user, contents, seconds, last
// Every viewer's history, one row per person (devices without a person stand alone):
// parallel lists of content ids, watched seconds and the last time watched.
MATCH (d:Device)-[w:WATCHED]->(c:Content)
OPTIONAL MATCH (d)-[:BELONGS_TO]->(p:Person)
RETURN coalesce(p.id, d.id) AS user, collect(c.id) AS contents, collect(w.seconds) AS seconds,
       collect(toString(w.last)) AS last
