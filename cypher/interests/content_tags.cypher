// name: interests/content_tags
// params: taxonomy
// returns: content, interest
// Content tags into one taxonomy.
MATCH (c:Content)-[:TAGGED]->(i:Interest {taxonomy: $taxonomy})
RETURN c.id AS content, i.id AS interest
