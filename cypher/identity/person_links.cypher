// name: identity/person_links
// params: devices, run_id
// returns: device, kind, value, days, count, first_seen, last_seen, edge_id, node_id, rule, scope, detail
// Every sighting of the given devices, with the rule (if any) that excluded its identifier
// in the run: the material of an explanation.
UNWIND $devices AS device_id
MATCH (d:Device {id: device_id})-[s:SEEN_WITH]->(i:Identifier)
OPTIONAL MATCH (:Run {id: $run_id})-[x:EXCLUDED]->(i)
RETURN d.id AS device, i.kind AS kind, i.value AS value, s.days AS days, s.count AS count,
       toString(s.first_seen) AS first_seen, toString(s.last_seen) AS last_seen,
       elementId(s) AS edge_id, elementId(i) AS node_id, x.rule AS rule, x.scope AS scope,
       x.detail AS detail
