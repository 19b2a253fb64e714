// name: segments/rule_members
// params: conditions
// returns: person
// The one query every rule segment compiles to. The rule's conditions arrive as data in
// $conditions, each a map {group ('all' | 'any'), kind, negate, interest, score_op, score,
// lift_op, lift, since, types, op, value, segment}; `since` is an ISO day. A person matches
// when every 'all' condition holds and, if there are 'any' conditions, at least one holds.
// The text never changes with the rule.
MATCH (p:Person)
WITH p, [c IN $conditions | {group: c.group, ok: (
        CASE c.kind
          WHEN 'interest' THEN EXISTS {
            MATCH (p)-[r:INTERESTED_IN]->(:Interest {id: c.interest})
            WHERE (c.score_op IS NULL OR CASE c.score_op
                     WHEN '>=' THEN r.score >= c.score WHEN '>' THEN r.score > c.score
                     WHEN '<=' THEN r.score <= c.score WHEN '<' THEN r.score < c.score
                     WHEN '==' THEN r.score = c.score END)
              AND (c.lift_op IS NULL OR CASE c.lift_op
                     WHEN '>=' THEN r.lift >= c.lift WHEN '>' THEN r.lift > c.lift
                     WHEN '<=' THEN r.lift <= c.lift WHEN '<' THEN r.lift < c.lift
                     WHEN '==' THEN r.lift = c.lift END)
              AND (c.since IS NULL OR r.last_seen >= c.since) }
          WHEN 'device_type' THEN EXISTS {
            MATCH (p)<-[:BELONGS_TO]-(d:Device) WHERE d.type IN c.types }
          WHEN 'household_size' THEN EXISTS {
            MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
            WHERE CASE c.op
                    WHEN '>=' THEN h.size >= c.value WHEN '>' THEN h.size > c.value
                    WHEN '<=' THEN h.size <= c.value WHEN '<' THEN h.size < c.value
                    WHEN '==' THEN h.size = c.value END }
          WHEN 'active_within_days' THEN EXISTS {
            MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(:Content)
            WHERE w.days[-1] >= c.since }
          WHEN 'segment' THEN EXISTS { MATCH (p)-[:IN_SEGMENT]->(:Segment {id: c.segment}) }
          ELSE false
        END <> c.negate)}] AS checks
WHERE all(x IN checks WHERE x.group <> 'all' OR x.ok)
  AND (none(x IN checks WHERE x.group = 'any') OR any(x IN checks WHERE x.group = 'any' AND x.ok))
RETURN p.id AS person
ORDER BY person
