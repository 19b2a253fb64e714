// name: segments/rule_segment
// params: id
// returns: segment
// A stored segment by id (its kind, version and rule digest).
MATCH (s:Segment {id: $id})
RETURN s {.id, .kind, .version, .digest, .size, .run_id} AS segment
