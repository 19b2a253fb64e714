// name: recommend/write_similar
// params: rows, run_id
// returns: nothing
// Content neighbours {source, target, score, rank, co_viewers} from co-viewing.
UNWIND $rows AS row
MATCH (a:Content {id: row.source})
MATCH (b:Content {id: row.target})
CREATE (a)-[:SIMILAR {score: row.score, rank: row.rank, co_viewers: row.co_viewers,
                      run_id: $run_id}]->(b)
