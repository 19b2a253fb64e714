// name: audiences/known_ids
// params: interests, segments
// returns: interests, segments
// Which of the named interests and segments exist; for each interest whether it is flagged
// sensitive and the ids of all its ancestors (so a policy root above it is seen).
CALL () {
  UNWIND $interests AS iid
  MATCH (i:Interest {id: iid})
  OPTIONAL MATCH (i)-[:CHILD_OF*1..]->(a:Interest)
  WITH i, collect(DISTINCT a.id) AS ancestors,
       coalesce(i.sensitive, false) OR any(x IN collect(a.sensitive) WHERE x) AS sensitive
  RETURN collect({id: i.id, sensitive: sensitive, ancestors: ancestors}) AS interests
}
CALL () {
  UNWIND $segments AS sid
  MATCH (s:Segment {id: sid})
  RETURN collect(s.id) AS segments
}
RETURN interests, segments
