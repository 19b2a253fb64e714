// name: segments/rule_segment
// params: id
// returns: segment
// A stored segment by id (its kind, version, rule digest and the query it was applied by).
MATCH (s:Segment {id: $id})
RETURN s {.id, .kind, .version, .digest, .query, .size, .run_id} AS segment
