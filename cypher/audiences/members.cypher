// name: audiences/members
// params: conditions, anchor, purpose, target, device_types
// returns: matched, excluded, persons, households, devices, members, rows
// The one traversal every audience definition compiles to; the text never changes with the
// definition. $conditions holds one map per condition {group ('include' | 'exclude'), kind,
// ids, types, min_score, min_lift, since (ISO day), min_seconds, min_size, max_size}.
// A person matches when every include condition holds and no exclude condition holds;
// `all` stops at the first condition that fails, so a candidate costs only the conditions
// it gets through. $conditions comes cheapest first (compile.check_order).
// $anchor (null, or one of the include conditions of kind interest, segment or content)
// narrows the persons examined to those reached from its nodes; the conditions are checked
// on each of them, so the anchor changes the cost, not the result (compile leaves the anchor
// out of $conditions only when reaching a person from it already proves it).
// Device types, recency, consent and the household are read from the person's summary
// (identity/person_summary); a person without one is checked through its devices.
// `withdrawn`: a login seen with one of the person's devices withdrew consent for $purpose;
// for $target 'household' the member is blocked when any person of the household withdrew.
// One row comes back, so that a large audience costs one message, not one per person:
// `matched` persons, `excluded` for consent, the counts of the persons, households and
// devices ($device_types only, when not null) behind the members, `members` at the target
// level, and `rows`: every kept person as {person, household, devices}, the device ids
// listed for $target 'device' only.
CALL () {
  WITH $anchor AS a WHERE a IS NULL
  MATCH (p:Person)
  RETURN p
  UNION
  WITH $anchor AS a WHERE a.kind = 'interest'
  MATCH (i:Interest) WHERE i.id IN a.ids
  MATCH (p:Person)-[r:INTERESTED_IN]->(i)
  WHERE (a.min_score IS NULL OR r.score >= a.min_score)
    AND (a.min_lift IS NULL OR r.lift >= a.min_lift)
  RETURN p
  UNION
  WITH $anchor AS a WHERE a.kind = 'segment'
  MATCH (s:Segment) WHERE s.id IN a.ids
  MATCH (p:Person)-[:IN_SEGMENT]->(s)
  RETURN p
  UNION
  WITH $anchor AS a WHERE a.kind = 'content'
  MATCH (k:Content) WHERE k.id IN a.ids
  MATCH (p:Person)<-[:BELONGS_TO]-(:Device)-[:WATCHED]->(k)
  RETURN p
}
WITH p
WHERE all(c IN $conditions WHERE (c.group = 'include') = CASE c.kind
    WHEN 'interest' THEN EXISTS {
      MATCH (p)-[r:INTERESTED_IN]->(i:Interest)
      WHERE i.id IN c.ids
        AND (c.min_score IS NULL OR r.score >= c.min_score)
        AND (c.min_lift IS NULL OR r.lift >= c.min_lift)
        AND (c.since IS NULL OR r.last_seen >= c.since) }
    WHEN 'segment' THEN EXISTS {
      MATCH (p)-[:IN_SEGMENT]->(s:Segment) WHERE s.id IN c.ids }
    WHEN 'device_type' THEN CASE WHEN p.device_types IS NULL
      THEN EXISTS { MATCH (p)<-[:BELONGS_TO]-(d:Device) WHERE d.type IN c.types }
      ELSE any(t IN p.device_types WHERE t IN c.types) END
    WHEN 'household_size' THEN EXISTS {
      MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
      WHERE (c.min_size IS NULL OR h.size >= c.min_size)
        AND (c.max_size IS NULL OR h.size <= c.max_size) }
    WHEN 'active_within_days' THEN CASE WHEN p.device_types IS NULL
      THEN EXISTS { MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(:Content)
                    WHERE w.days[-1] >= c.since }
      ELSE coalesce(p.last_viewed >= c.since, false) END
    WHEN 'content' THEN reduce(total = 0, s IN COLLECT {
      MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(k:Content)
      WHERE k.id IN c.ids AND (c.since IS NULL OR w.days[-1] >= c.since)
      RETURN reduce(acc = 0, n IN range(0, size(w.days) - 1) |
        acc + CASE WHEN c.since IS NULL OR w.days[n] >= c.since
                 THEN w.day_seconds[n] ELSE 0 END) AS seconds } | total + s) >= c.min_seconds
    WHEN 'category' THEN reduce(total = 0, s IN COLLECT {
      MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(k:Content)
      WHERE (c.since IS NULL OR w.days[-1] >= c.since)
        AND EXISTS {
          MATCH (k)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(i:Interest)
          WHERE i.id IN c.ids AND NOT coalesce(t.sensitive, false) }
      RETURN reduce(acc = 0, n IN range(0, size(w.days) - 1) |
        acc + CASE WHEN c.since IS NULL OR w.days[n] >= c.since
                 THEN w.day_seconds[n] ELSE 0 END) AS seconds } | total + s) >= c.min_seconds
    ELSE false
  END)
WITH p, CASE WHEN p.device_types IS NULL
  THEN COLLECT { MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household) RETURN h.id }[0]
  ELSE p.household END AS household
WITH p, household, CASE WHEN p.withdrawn IS NULL THEN EXISTS {
    MATCH (p)<-[:BELONGS_TO]-(d:Device)
    WHERE CASE WHEN d.withdrawn IS NULL THEN EXISTS {
            MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})
                  -[k:CONSENTED]->(:Purpose {name: $purpose})
            WHERE k.granted = false }
          ELSE $purpose IN d.withdrawn END }
  ELSE $purpose IN p.withdrawn END AS withdrawn
WITH p, household, CASE WHEN $target = 'household' AND household IS NOT NULL THEN EXISTS {
    MATCH (:Household {id: household})<-[:MEMBER_OF_HOUSEHOLD]-(q:Person)
    WHERE CASE WHEN q.withdrawn IS NULL THEN EXISTS {
            MATCH (q)<-[:BELONGS_TO]-(d:Device)
            WHERE CASE WHEN d.withdrawn IS NULL THEN EXISTS {
                    MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})
                          -[k:CONSENTED]->(:Purpose {name: $purpose})
                    WHERE k.granted = false }
                  ELSE $purpose IN d.withdrawn END }
          ELSE $purpose IN q.withdrawn END } ELSE withdrawn END AS blocked,
  CASE WHEN p.device_types IS NULL
    THEN COUNT { MATCH (p)<-[:BELONGS_TO]-(d:Device)
                 WHERE $device_types IS NULL OR d.type IN $device_types }
    ELSE size([t IN p.device_types WHERE $device_types IS NULL OR t IN $device_types])
  END AS device_count
WITH p, household, blocked, device_count,
     NOT blocked AND CASE $target WHEN 'household' THEN household IS NOT NULL
                                  WHEN 'device' THEN device_count > 0
                                  ELSE true END AS kept
WITH count(*) AS matched, sum(CASE WHEN blocked THEN 1 ELSE 0 END) AS excluded,
     sum(CASE WHEN kept THEN 1 ELSE 0 END) AS persons,
     count(DISTINCT CASE WHEN kept THEN household END) AS households,
     sum(CASE WHEN kept THEN device_count ELSE 0 END) AS devices,
     collect(CASE WHEN kept THEN {person: p.id, household: household,
       devices: CASE WHEN $target = 'device' THEN
         [(p)<-[:BELONGS_TO]-(d:Device) WHERE $device_types IS NULL OR d.type IN $device_types
          | d.id] END} END) AS rows
RETURN matched, excluded, persons, households, devices,
       CASE $target WHEN 'household' THEN households WHEN 'device' THEN devices
                    ELSE persons END AS members, rows
