// name: segments/write_rule_segment
// params: id, segment_name, version, digest, description, query, size, run_id
// returns: id
// Create or refresh a rule segment and drop its previous memberships.
MERGE (s:Segment {id: $id})
SET s.kind = 'rule', s.name = $segment_name, s.version = $version, s.digest = $digest,
    s.description = $description, s.query = $query, s.size = $size, s.run_id = $run_id
WITH s
OPTIONAL MATCH (s)<-[m:IN_SEGMENT]-(:Person)
DELETE m
RETURN DISTINCT s.id AS id
