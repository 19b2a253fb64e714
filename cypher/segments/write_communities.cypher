// name: segments/write_communities
// params: rows, run_id
// returns: nothing
// Community segments {id, name, size, engine, resolution, seed, modularity, top_interests,
// top_interest_names, top_lifts, device_types, device_counts, continued_from, gained, lost}.
UNWIND $rows AS row
CREATE (s:Segment {id: row.id, kind: 'community', run_id: $run_id})
SET s.name = row.name, s.size = row.size, s.engine = row.engine,
    s.resolution = row.resolution, s.seed = row.seed, s.modularity = row.modularity,
    s.top_interests = row.top_interests, s.top_interest_names = row.top_interest_names,
    s.top_lifts = row.top_lifts, s.device_types = row.device_types,
    s.device_counts = row.device_counts, s.continued_from = row.continued_from,
    s.gained = row.gained, s.lost = row.lost, s.version = row.version
