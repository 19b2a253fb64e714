// name: identity/current_partition
// params: bounds
// returns: devices, persons, households
// The published partition as columns, one record per block of person ids in
// [bound[0], bound[1]): each device of those persons, its person's id and that person's
// household id ('' when none). Read from the persons, whose few relationships are quick to
// walk.
UNWIND $bounds AS bound
CALL (bound) {
  MATCH (p:Person)
  WHERE p.id >= bound[0] AND p.id < bound[1]
  OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
  WITH p, coalesce(h.id, '') AS household
  MATCH (p)<-[:BELONGS_TO]-(d:Device)
  RETURN collect(d.id) AS devices, collect(p.id) AS persons, collect(household) AS households
}
RETURN devices, persons, households
