// name: api/person_profile
// params: person
// returns: person, size, run_id, household, household_size, devices, interests, segments
// A person's profile: devices, household, interests and segments. Pseudonymous ids only.
// No row when the person does not exist.
MATCH (p:Person {id: $person})
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN p.id AS person, p.size AS size, p.run_id AS run_id, h.id AS household,
       h.size AS household_size,
       [(p)<-[b:BELONGS_TO]-(o:Device) | {id: o.id, type: o.type,
                                          confidence: b.confidence}] AS devices,
       [(p)-[r:INTERESTED_IN]->(i:Interest) | {id: i.id, name: i.name, tier: i.tier,
         score: r.score, lift: r.lift, run_id: r.run_id}] AS interests,
       [(p)-[:IN_SEGMENT]->(s:Segment) | {id: s.id, name: s.name, kind: s.kind}] AS segments
