// name: identity/device_columns
// params: bounds
// returns: ids, types, last_viewed, withdrawn
// Every device as columns, one record per block of ids in [bound[0], bound[1]): its id,
// type, last viewing day ('' when none) and withdrawn purposes, which the person summary
// needs.
UNWIND $bounds AS bound
CALL (bound) {
  MATCH (d:Device)
  WHERE d.id >= bound[0] AND d.id < bound[1]
  WITH d, coalesce(d.last_viewed, '') AS viewed, coalesce(d.withdrawn, []) AS withdrawn
  RETURN collect(d.id) AS ids, collect(coalesce(d.type, '')) AS types,
         collect(viewed) AS last_viewed, collect(withdrawn) AS withdrawn
}
RETURN ids, types, last_viewed, withdrawn
