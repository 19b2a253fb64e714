// name: identity/current_partition
// params: bounds
// returns: devices, persons, households
// The published partition as columns, one record per block of device ids in
// [bound[0], bound[1]): each device with a person, that person's id and its household's
// id ('' when none).
UNWIND $bounds AS bound
CALL (bound) {
  MATCH (d:Device)-[:BELONGS_TO]->(p:Person)
  WHERE d.id >= bound[0] AND d.id < bound[1]
  OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
  RETURN collect(d.id) AS devices, collect(p.id) AS persons,
         collect(coalesce(h.id, '')) AS households
}
RETURN devices, persons, households
