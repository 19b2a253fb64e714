// name: api/device_profile
// params: device
// returns: device, type, first_seen, last_seen, person, confidence, person_size, household, household_size, devices, interests, segments
// A device's profile: its person and household, the person's devices, interests and
// segments. Pseudonymous ids only. No row when the device does not exist.
MATCH (d:Device {id: $device})
OPTIONAL MATCH (d)-[b:BELONGS_TO]->(p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN d.id AS device, d.type AS type, toString(d.first_seen) AS first_seen,
       toString(d.last_seen) AS last_seen, p.id AS person, b.confidence AS confidence,
       p.size AS person_size, h.id AS household, h.size AS household_size,
       CASE WHEN p IS NULL THEN [] ELSE
         [(p)<-[:BELONGS_TO]-(o:Device) | {id: o.id, type: o.type}] END AS devices,
       CASE WHEN p IS NULL THEN [] ELSE
         [(p)-[r:INTERESTED_IN]->(i:Interest) | {id: i.id, name: i.name, tier: i.tier,
           score: r.score, lift: r.lift, run_id: r.run_id}] END AS interests,
       CASE WHEN p IS NULL THEN [] ELSE
         [(p)-[:IN_SEGMENT]->(s:Segment) | {id: s.id, name: s.name, kind: s.kind}] END
         AS segments
