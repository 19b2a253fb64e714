// name: recommend/write_popularity
// params: rows, run_id
// returns: nothing
// Content popularity {content, viewers, rank}: distinct viewers and the rank by them.
UNWIND $rows AS row
MATCH (c:Content {id: row.content})
SET c.popularity = row.viewers, c.popularity_rank = row.rank, c.popularity_run_id = $run_id
