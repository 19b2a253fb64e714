// name: tools/naive_network_event
// params: device, type, identifiers
// returns: nothing
// Benchmark baseline only: one network event in its own transaction, MERGE per element.
MERGE (d:Device {id: $device})
SET d.type = $type
WITH d
UNWIND $identifiers AS x
MERGE (i:Identifier {kind: x.kind, value: x.value})
MERGE (d)-[r:SEEN_WITH]->(i)
ON CREATE SET r.count = 0
SET r.count = r.count + 1
