// name: identity/identifier_sightings
// params: nodes
// returns: device, kind, value, days, node_id, edge_id, network, ip_class
// Every sighting of the given identifiers (element ids): what an explanation weighs beside
// the explained devices' own sightings (how many devices carry an identifier, who else was
// seen on a home address and on which days).
UNWIND $nodes AS node
MATCH (i:Identifier) WHERE elementId(i) = node
MATCH (d:Device)-[s:SEEN_WITH]->(i)
RETURN d.id AS device, i.kind AS kind, i.value AS value, s.days AS days, node AS node_id,
       elementId(s) AS edge_id, i.network AS network, i.ip_class AS ip_class
