// name: conditions/members
// params: conditions, any, anchor, purpose, target, device_types, summary_version, listed
// returns: matched, excluded, stale, persons, households, devices, members, rows
// The one traversal every segment rule and audience definition compiles to; the text never
// changes with the conditions (proteus/conditions/compile.py). $conditions holds the
// conditions that must all hold, $any those of which one must hold when there are any, each
// a map {group, negate, kind, ids, types, score, lift, size, since (ISO day), min_seconds};
// `score`, `lift` and `size` are lists of comparisons {op, value} that all hold, and
// `negate` flips the condition. `all` stops at the first condition that fails, so a
// candidate costs only the conditions it gets through; $conditions comes cheapest first.
// $anchor (null, or one of the conditions of kind interest, segment or content) narrows the
// persons examined to those reached from its nodes; the conditions are checked on each of
// them, so the anchor changes the cost, not the result.
// Device types, recency, consent and the household are read from the person's summary
// (identity/person_summary), which must be of $summary_version: a candidate whose summary
// is missing or of another version is counted in `stale` and nothing else, and the caller
// refuses the answer.
// Governance, for audiences: with $purpose not null, a person is `excluded` when its
// summary lists $purpose as withdrawn; for $target 'household' the member is blocked when
// any person of the household withdrew. One row comes back, so that a large answer costs
// one message, not one per person: `matched` persons, `excluded` for consent, the counts
// of the persons, households and devices ($device_types only, when not null) behind the
// members, `members` at the target level, and `rows`: every kept person as {person,
// household, devices}, the device ids listed for $target 'device' only; with $listed not
// null, only those behind the first $listed members (persons by id, or every person of
// the first $listed households by id; a device has one person): a dry run shows a few
// members and counts the rest, the counts are the same either way.
CALL () {
  WITH $anchor AS a WHERE a IS NULL
  MATCH (p:Person)
  RETURN p
  UNION
  WITH $anchor AS a WHERE a.kind = 'interest'
  MATCH (i:Interest) WHERE i.id IN a.ids
  MATCH (p:Person)-[r:INTERESTED_IN]->(i)
  WHERE all(t IN a.score WHERE CASE t.op
          WHEN '>=' THEN r.score >= t.value WHEN '>' THEN r.score > t.value
          WHEN '<=' THEN r.score <= t.value WHEN '<' THEN r.score < t.value
          ELSE r.score = t.value END)
    AND all(t IN a.lift WHERE CASE t.op
          WHEN '>=' THEN r.lift >= t.value WHEN '>' THEN r.lift > t.value
          WHEN '<=' THEN r.lift <= t.value WHEN '<' THEN r.lift < t.value
          ELSE r.lift = t.value END)
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
WITH p, coalesce(p.summary_version = $summary_version, false) AS current
WHERE NOT current OR all(g IN [c IN $conditions | [c]]
                               + CASE WHEN size($any) = 0 THEN [] ELSE [$any] END
  WHERE any(c IN g WHERE c.negate <> CASE c.kind
    WHEN 'interest' THEN EXISTS {
      MATCH (p)-[r:INTERESTED_IN]->(i:Interest)
      WHERE i.id IN c.ids
        AND all(t IN c.score WHERE CASE t.op
              WHEN '>=' THEN r.score >= t.value WHEN '>' THEN r.score > t.value
              WHEN '<=' THEN r.score <= t.value WHEN '<' THEN r.score < t.value
              ELSE r.score = t.value END)
        AND all(t IN c.lift WHERE CASE t.op
              WHEN '>=' THEN r.lift >= t.value WHEN '>' THEN r.lift > t.value
              WHEN '<=' THEN r.lift <= t.value WHEN '<' THEN r.lift < t.value
              ELSE r.lift = t.value END)
        AND (c.since IS NULL OR r.last_seen >= c.since) }
    WHEN 'segment' THEN EXISTS {
      MATCH (p)-[:IN_SEGMENT]->(s:Segment) WHERE s.id IN c.ids }
    WHEN 'device_type' THEN any(t IN p.device_types WHERE t IN c.types)
    WHEN 'household_size' THEN EXISTS {
      MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
      WHERE all(t IN c.size WHERE CASE t.op
              WHEN '>=' THEN h.size >= t.value WHEN '>' THEN h.size > t.value
              WHEN '<=' THEN h.size <= t.value WHEN '<' THEN h.size < t.value
              ELSE h.size = t.value END) }
    WHEN 'active_within_days' THEN coalesce(p.last_viewed >= c.since, false)
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
  END))
WITH p, current, p.household AS household,
     current AND $purpose IS NOT NULL AND $purpose IN p.withdrawn AS withdrawn
WITH p, current, household,
  CASE WHEN current AND $purpose IS NOT NULL AND $target = 'household'
            AND household IS NOT NULL THEN EXISTS {
    MATCH (:Household {id: household})<-[:MEMBER_OF_HOUSEHOLD]-(q:Person)
    WHERE $purpose IN q.withdrawn } ELSE withdrawn END AS blocked,
  CASE WHEN current
    THEN size([t IN p.device_types WHERE $device_types IS NULL OR t IN $device_types])
    ELSE 0 END AS device_count
WITH p, current, household, blocked, device_count,
     current AND NOT blocked AND CASE $target WHEN 'household' THEN household IS NOT NULL
                                              WHEN 'device' THEN device_count > 0
                                              ELSE true END AS kept
WITH sum(CASE WHEN current THEN 1 ELSE 0 END) AS matched,
     sum(CASE WHEN current THEN 0 ELSE 1 END) AS stale,
     sum(CASE WHEN blocked THEN 1 ELSE 0 END) AS excluded,
     sum(CASE WHEN kept THEN 1 ELSE 0 END) AS persons,
     count(DISTINCT CASE WHEN kept THEN household END) AS households,
     sum(CASE WHEN kept THEN device_count ELSE 0 END) AS devices,
     collect(CASE WHEN kept THEN {person: p.id, household: household,
       devices: CASE WHEN $target = 'device' THEN
         [(p)<-[:BELONGS_TO]-(d:Device) WHERE $device_types IS NULL OR d.type IN $device_types
          | d.id] END} END) AS rows
WITH matched, excluded, stale, persons, households, devices, rows,
     CASE WHEN $listed IS NOT NULL AND $target = 'household' THEN COLLECT {
       UNWIND rows AS k RETURN DISTINCT k.household AS h ORDER BY h LIMIT $listed } END
       AS shown
RETURN matched, excluded, stale, persons, households, devices,
       CASE $target WHEN 'household' THEN households WHEN 'device' THEN devices
                    ELSE persons END AS members,
       CASE WHEN $listed IS NULL THEN rows
            WHEN $target = 'household' THEN [r IN rows WHERE r.household IN shown]
            ELSE COLLECT { UNWIND rows AS r RETURN r ORDER BY r.person LIMIT $listed } END
         AS rows
