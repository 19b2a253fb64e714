// name: recommend/content_tags
// params: none
// returns: content, interests
// Each tagged content with the interests it is tagged with.
MATCH (c:Content)-[:TAGGED]->(i:Interest)
RETURN c.id AS content, collect(i.id) AS interests
