// name: identity/stream_links
// params: none
// returns: device, kind, value, network, ip_class, days, count, first_seen, last_seen, edge_id
// Every device-identifier sighting, the edge list identity rules and components read.
MATCH (d:Device)-[s:SEEN_WITH]->(i:Identifier)
RETURN d.id AS device, i.kind AS kind, i.value AS value, i.network AS network,
       i.ip_class AS ip_class, s.days AS days, s.count AS count,
       toString(s.first_seen) AS first_seen, toString(s.last_seen) AS last_seen,
       elementId(s) AS edge_id
