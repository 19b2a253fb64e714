// name: tools/naive_viewing_event
// params: device, content, seconds
// returns: nothing
// Benchmark baseline only: one viewing event in its own transaction, MERGE per element.
MERGE (d:Device {id: $device})
MERGE (c:Content {id: $content})
MERGE (d)-[w:WATCHED]->(c)
ON CREATE SET w.count = 0, w.seconds = 0
SET w.count = w.count + 1, w.seconds = w.seconds + $seconds
