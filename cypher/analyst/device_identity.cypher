// name: analyst/device_identity
// params: device
// returns: device, person, confidence, household, identifiers, paths
// The identity of a device: its person and household, every identifier it was seen with
// (kind, network, how many devices share it) and the paths to the person's other devices
// through shared identifiers. In Browser: `:param device => '...'`.
MATCH (d:Device {id: $device})
OPTIONAL MATCH (d)-[b:BELONGS_TO]->(p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
CALL (d) {
  OPTIONAL MATCH (d)-[s:SEEN_WITH]->(i:Identifier)
  RETURN collect({kind: i.kind, network: i.network, count: s.count, days: size(s.days),
                  devices: COUNT { (i)<-[:SEEN_WITH]-(:Device) }}) AS identifiers
}
CALL (d, p) {
  OPTIONAL MATCH shared = (d)-[:SEEN_WITH]->(:Identifier)<-[:SEEN_WITH]-(o:Device)
  WHERE (o)-[:BELONGS_TO]->(p)
  RETURN collect(shared) AS paths
}
RETURN d.id AS device, p.id AS person, b.confidence AS confidence, h.id AS household,
       identifiers, paths
