// name: recommend/clear_popularity
// params: none
// returns: cleared
// Forget every content's popularity before a build writes new figures.
MATCH (c:Content)
WHERE c.popularity_rank IS NOT NULL
REMOVE c.popularity, c.popularity_rank, c.popularity_run_id
RETURN count(c) AS cleared
