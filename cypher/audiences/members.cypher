// name: audiences/members
// params: conditions, anchor, purpose, target, device_types
// returns: person, household, withdrawn, household_withdrawn, devices
// The one traversal every audience definition compiles to; the text never changes with the
// definition. $conditions holds one map per condition {group ('include' | 'exclude'), kind,
// ids, types, min_score, min_lift, since (ISO day), min_seconds, min_size, max_size}.
// A person matches when every include condition holds and no exclude condition holds;
// `all` stops at the first condition that fails, so a candidate costs only the conditions
// it gets through. $conditions comes cheapest first (compile.check_order).
// `withdrawn`: a login seen with one of the person's devices withdrew consent for $purpose
// (for $target 'household', `household_withdrawn` says the same of any person of the
// household). Ingest keeps each device's withdrawn purposes on `Device.withdrawn`
// (ingest/device_consent); a device without it is checked through its sightings.
// `devices`: the person's devices, only those of $device_types when not null. Rows come in
// no particular order (the caller sorts members).
// $anchor (null, or one of the include conditions of kind interest, segment or content)
// narrows the persons examined to those reached from its nodes; every condition, the anchor
// included, is still checked on each of them, so the anchor changes the cost, not the result.
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
    WHEN 'device_type' THEN EXISTS {
      MATCH (p)<-[:BELONGS_TO]-(d:Device) WHERE d.type IN c.types }
    WHEN 'household_size' THEN EXISTS {
      MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
      WHERE (c.min_size IS NULL OR h.size >= c.min_size)
        AND (c.max_size IS NULL OR h.size <= c.max_size) }
    WHEN 'active_within_days' THEN EXISTS {
      MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(:Content)
      WHERE w.days[-1] >= c.since }
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
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
WITH p, h, EXISTS {
  MATCH (p)<-[:BELONGS_TO]-(d:Device)
  WHERE CASE WHEN d.withdrawn IS NULL THEN EXISTS {
          MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})
                -[k:CONSENTED]->(:Purpose {name: $purpose})
          WHERE k.granted = false }
        ELSE $purpose IN d.withdrawn END } AS withdrawn
RETURN p.id AS person, h.id AS household, withdrawn,
       CASE WHEN $target = 'household' AND h IS NOT NULL THEN EXISTS {
         MATCH (h)<-[:MEMBER_OF_HOUSEHOLD]-(:Person)<-[:BELONGS_TO]-(d:Device)
         WHERE CASE WHEN d.withdrawn IS NULL THEN EXISTS {
                 MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})
                       -[k:CONSENTED]->(:Purpose {name: $purpose})
                 WHERE k.granted = false }
               ELSE $purpose IN d.withdrawn END } ELSE withdrawn END AS household_withdrawn,
       [(p)<-[:BELONGS_TO]-(d:Device) WHERE $device_types IS NULL OR d.type IN $device_types
        | d.id] AS devices
