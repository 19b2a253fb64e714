// name: recommend/seed_neighbours
// params: seeds
// returns: neighbours
// The precomputed SIMILAR neighbours of the seeds, in seed order then rank: [seed, content,
// score, rank]. The API takes the same rows from its in-memory index instead.
UNWIND range(0, size($seeds) - 1) AS position
MATCH (s:Content {id: $seeds[position]})-[r:SIMILAR]->(n:Content)
WITH position, s, r, n
ORDER BY position, r.rank, n.id
RETURN collect([s.id, n.id, r.score, r.rank]) AS neighbours
