// name: api/neighbour_index
// params: none
// returns: content, title, neighbours
// Every content with its precomputed SIMILAR neighbours as
// [rank, content, title, score, co_viewers, run_id]: the API's in-memory neighbour index,
// read once per recommend build.
MATCH (c:Content)
RETURN c.id AS content, c.title AS title,
       [(c)-[s:SIMILAR]->(n:Content) |
        [s.rank, n.id, n.title, s.score, s.co_viewers, s.run_id]] AS neighbours
