// name: ingest/device_consent
// params: rows
// returns: nothing
// Keeps `Device.withdrawn` (the purposes for which a login seen with the device withdrew
// consent, sorted) equal to what the graph's sightings and consents say, for the devices a
// chunk touched: rows {device} name a device seen in a network chunk, rows {login} a login
// whose consent a consent chunk changed (all its devices). Recomputed from the whole graph,
// so replaying a chunk is harmless. A device without the property (never recomputed: seen
// only in viewing, or loaded before the property existed) is checked through its sightings.
UNWIND $rows AS row
CALL (row) {
  MATCH (d:Device {id: row.device})
  RETURN d
  UNION
  MATCH (:Identifier {kind: 'login', value: row.login})<-[:SEEN_WITH]-(d:Device)
  RETURN d
}
WITH DISTINCT d
SET d.withdrawn = COLLECT {
  MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})-[k:CONSENTED]->(p:Purpose)
  WHERE k.granted = false
  RETURN DISTINCT p.name AS purpose ORDER BY purpose
}
