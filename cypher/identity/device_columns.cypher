// name: identity/device_columns
// params: bounds
// returns: ids
// Every device id, one record per block of ids in [bound[0], bound[1]).
UNWIND $bounds AS bound
CALL (bound) {
  MATCH (d:Device)
  WHERE d.id >= bound[0] AND d.id < bound[1]
  RETURN collect(d.id) AS ids
}
RETURN ids
