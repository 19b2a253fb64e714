// name: conditions/evidence
// params: persons, conditions
// returns: person, position, evidence
// For each person and each condition (same maps as conditions/members; `negate` is not
// read: the evidence is that the condition itself holds) the strongest
// evidence that the condition holds, or no row when it does not: the interest relationship
// and the most-watched content behind it, the segment membership, the device, the
// household, or the watched content in the window with its seconds.
UNWIND $persons AS pid
MATCH (p:Person {id: pid})
UNWIND range(0, size($conditions) - 1) AS position
WITH p, position, $conditions[position] AS c
CALL (p, c) {
  WITH p, c WHERE c.kind = 'interest'
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
    AND (c.since IS NULL OR r.last_seen >= c.since)
  WITH p, r, i ORDER BY r.score DESC, i.id LIMIT 1
  OPTIONAL MATCH (p)<-[b:BELONGS_TO]-(d:Device)-[w:WATCHED]->(k:Content)
  WHERE EXISTS {
    MATCH (k)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(i)
    WHERE NOT coalesce(t.sensitive, false) }
  WITH r, i, b, d, w, k ORDER BY w.seconds DESC, k.id, d.id LIMIT 1
  RETURN {kind: 'interest', interest: i.id, interest_name: i.name, score: r.score,
          lift: r.lift, evidence_count: r.evidence_count, last_seen: r.last_seen,
          run_id: r.run_id, device: d.id, device_type: d.type,
          identity_confidence: b.confidence, identity_run: b.run_id, content: k.id,
          title: k.title, seconds: w.seconds, last: w.days[-1],
          via: COLLECT {
            MATCH (k)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(i)
            WHERE NOT coalesce(t.sensitive, false)
            RETURN t.id AS via ORDER BY via LIMIT 1 }[0]} AS evidence
  UNION
  WITH p, c WHERE c.kind IN ['content', 'category']
  MATCH (p)<-[b:BELONGS_TO]-(d:Device)-[w:WATCHED]->(k:Content)
  WHERE (c.since IS NULL OR w.days[-1] >= c.since)
    AND ((c.kind = 'content' AND k.id IN c.ids) OR (c.kind = 'category' AND EXISTS {
      MATCH (k)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(i:Interest)
      WHERE i.id IN c.ids AND NOT coalesce(t.sensitive, false) }))
  WITH c, b, d, w, k, reduce(acc = 0, n IN range(0, size(w.days) - 1) |
    acc + CASE WHEN c.since IS NULL OR w.days[n] >= c.since
               THEN w.day_seconds[n] ELSE 0 END) AS seconds
  ORDER BY seconds DESC, k.id, d.id
  WITH c, collect({device: d.id, device_type: d.type, identity_confidence: b.confidence,
                   identity_run: b.run_id, content: k.id, title: k.title, seconds: seconds,
                   last: w.days[-1],
                   tags: COLLECT {
                     MATCH (k)-[:TAGGED]->(t:Interest)-[:CHILD_OF*0..]->(i:Interest)
                     WHERE i.id IN c.ids AND NOT coalesce(t.sensitive, false)
                     RETURN [t.id, i.id] AS tag ORDER BY tag LIMIT 1 }}) AS rows,
       sum(seconds) AS total
  WHERE total >= c.min_seconds
  WITH c, rows[0] AS top, total, size(rows) AS watched
  RETURN top{.*, kind: c.kind, total_seconds: total, watched: watched} AS evidence
  UNION
  WITH p, c WHERE c.kind = 'segment'
  MATCH (p)-[m:IN_SEGMENT]->(s:Segment)
  WHERE s.id IN c.ids
  WITH m, s ORDER BY s.id LIMIT 1
  RETURN {kind: 'segment', segment: s.id, segment_name: s.name, segment_kind: s.kind,
          run_id: m.run_id} AS evidence
  UNION
  WITH p, c WHERE c.kind = 'device_type'
  MATCH (p)<-[b:BELONGS_TO]-(d:Device)
  WHERE d.type IN c.types
  WITH b, d ORDER BY b.confidence DESC, d.id LIMIT 1
  RETURN {kind: 'device_type', device: d.id, device_type: d.type,
          identity_confidence: b.confidence, identity_run: b.run_id} AS evidence
  UNION
  WITH p, c WHERE c.kind = 'household_size'
  MATCH (p)-[m:MEMBER_OF_HOUSEHOLD]->(h:Household)
  WHERE all(t IN c.size WHERE CASE t.op
          WHEN '>=' THEN h.size >= t.value WHEN '>' THEN h.size > t.value
          WHEN '<=' THEN h.size <= t.value WHEN '<' THEN h.size < t.value
          ELSE h.size = t.value END)
  RETURN {kind: 'household_size', household: h.id, size: h.size,
          run_id: m.run_id} AS evidence
  UNION
  WITH p, c WHERE c.kind = 'active_within_days'
  MATCH (p)<-[b:BELONGS_TO]-(d:Device)-[w:WATCHED]->(k:Content)
  WHERE w.days[-1] >= c.since
  WITH b, d, w, k ORDER BY w.days[-1] DESC, w.seconds DESC, k.id, d.id LIMIT 1
  RETURN {kind: 'active_within_days', device: d.id, device_type: d.type,
          identity_confidence: b.confidence, identity_run: b.run_id, content: k.id,
          title: k.title, seconds: w.seconds, last: w.days[-1]} AS evidence
}
RETURN p.id AS person, position, evidence
ORDER BY person, position
