// name: recommend/catalog
// params: none
// returns: content, title, rank, viewers, run_id, interests
// Every content ranked by popularity, with its title and the interests it is tagged with:
// what requests share (cached per process for a short time).
MATCH (c:Content)
WHERE c.popularity_rank IS NOT NULL
RETURN c.id AS content, c.title AS title, c.popularity_rank AS rank,
       c.popularity AS viewers, c.popularity_run_id AS run_id,
       [(c)-[:TAGGED]->(i:Interest) | i.id] AS interests
ORDER BY rank
