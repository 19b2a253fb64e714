// name: ingest/device_consent
// params: rows
// returns: nothing
// Keeps `Device.withdrawn` (the purposes for which a login seen with the device withdrew
// consent, sorted) equal to what the graph's sightings and consents say, for the devices a
// chunk touched: rows {device} name a device seen in a network chunk, rows {login} a login
// whose consent a consent chunk changed (all its devices). Recomputed from the whole graph,
// so replaying a chunk is harmless. A device without the property (never recomputed: seen
// only in viewing, or loaded before the property existed) is checked through its sightings.
// The plan is pinned: with the statistics of a fresh or just-reset graph the planner would
// otherwise seek the login by the `kind` index alone, or scan the (kind, value) index (every
// login, per row), or start the recomputation from the few Purpose nodes and walk every
// consent. MERGE on the uniqueness constraints (the device or login always exists: the chunk
// merged it) can only be planned as a unique index seek, so the row's node is found by its
// key and nothing but the device anchors the recomputation.
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.device IS NOT NULL
  MERGE (d:Device {id: row.device})
  RETURN d
  UNION
  WITH row WHERE row.login IS NOT NULL
  MERGE (l:Identifier {kind: 'login', value: row.login})
  WITH l
  MATCH (l)<-[:SEEN_WITH]-(d:Device)
  RETURN d
}
WITH DISTINCT d
SET d.withdrawn = COLLECT {
  MATCH (d)-[:SEEN_WITH]->(l)-[k:CONSENTED]->(p)
  WHERE l.kind = 'login' AND k.granted = false
  RETURN DISTINCT p.name AS purpose ORDER BY purpose
}
