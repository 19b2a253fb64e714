// name: report/audience_devices
// params: audience, run_id
// returns: type, devices
// The devices of the persons behind an audience's members stored by a run, by device type
// (from each person's summary, one entry per device).
MATCH (:Audience {id: $audience})-[:HAS_MEMBER]->(m:AudienceMember {run_id: $run_id})
UNWIND m.persons AS person
WITH DISTINCT person
MATCH (p:Person {id: person})
UNWIND p.device_types AS type
RETURN type, count(*) AS devices
ORDER BY devices DESC, type
