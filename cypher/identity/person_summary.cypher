// name: identity/person_summary
// params: rows
// returns: nothing
// The one writer of the person summary, the projection of consent, device types, recency
// and the household that segment rules and audiences read (conditions/members), and of the
// device's part of it: `Device.withdrawn` and a known device's `type`. Rows name what
// changed: {device, type, logins, viewed} a device a network or viewing chunk touched (the
// type the chunk reports, the logins it was seen with, its latest viewing day), {login} a
// login whose consent a consent chunk changed (all the devices seen with it), {person} a
// person identity published.
// The consent rule lives here and nowhere else: a device's `withdrawn` is the purposes for
// which a login seen with the device withdrew consent (a CONSENTED with granted false),
// sorted. Each change is folded in by what it can change, so a day of traffic costs what it
// changed, not what the graph holds:
//   a device row  adds the withdrawals of the logins it names (links only ever add logins,
//                 so the purposes can only grow); a device never summarised (no
//                 `withdrawn`) and every device of a {login} row (consent can be granted
//                 again) are recomputed from the whole graph;
//   its person    is recomputed whole when the device's type or purposes changed; a later
//                 viewing day only moves the person's `last_viewed` (a maximum);
//   {person}      is recomputed whole.
// Replaying a chunk is harmless: what it adds is there already and changes nothing.
// A person's summary:
//   device_types     the type of each of its devices, one entry per device ('unknown' when
//                    not known), so that counting devices of some types needs no walk;
//   last_viewed      the latest day any of its devices watched something (absent when none);
//   withdrawn        the purposes its devices' `withdrawn` list, sorted;
//   household        the id of its household (absent when none);
//   summary_version  the version of this projection (proteus/conditions/summary.py checks
//                    it equals SUMMARY_VERSION): readers refuse a person without it.
// The plan is pinned: with the statistics of a fresh or just-reset graph the planner would
// otherwise seek the login by the `kind` index alone, or scan the (kind, value) index (every
// login, per row), or start the recomputation from the few Purpose nodes and walk every
// consent. MERGE on the uniqueness constraints (the device or login always exists: the chunk
// merged it) can only be planned as a unique index seek, and a row's logins are sought by
// the same (kind, value) index through a hint, so each node is found by its key and nothing
// but the device anchors the recomputation. The persons' union is UNION ALL,
// made distinct after it: a UNION inside the subquery is made distinct together with the
// imported list of changed devices, which holds that whole list once per person (quadratic
// memory: 6,807 logins of a consent day on the 1M-device graph went past Neo4j's
// transaction memory).
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.device IS NOT NULL
  MERGE (d:Device {id: row.device})
  WITH row, d, d.type AS was, coalesce(row.type, d.type) AS type, d.withdrawn AS had
  WITH row, d, was, type, had, COLLECT {
    UNWIND CASE WHEN had IS NULL THEN [] ELSE coalesce(row.logins, []) END AS value
    MATCH (l:Identifier {kind: 'login', value: value})-[k:CONSENTED]->(u:Purpose)
      USING INDEX l:Identifier(kind, value)
    WHERE k.granted = false AND NOT u.name IN had
    RETURN DISTINCT u.name AS purpose
  } AS gained
  WITH row, d, had, gained, type, coalesce(type <> was, type IS NOT NULL) AS retyped
  FOREACH (_ IN CASE WHEN retyped THEN [1] ELSE [] END | SET d.type = type)
  FOREACH (grown IN CASE WHEN size(gained) > 0
                         THEN [COLLECT { UNWIND had + gained AS p RETURN p ORDER BY p }]
                         ELSE [] END | SET d.withdrawn = grown)
  RETURN d, row.viewed AS viewed, had IS NULL AS recount, retyped OR size(gained) > 0 AS whole
  UNION ALL
  WITH row WHERE row.login IS NOT NULL
  MERGE (l:Identifier {kind: 'login', value: row.login})
  WITH l
  MATCH (l)<-[:SEEN_WITH]-(d:Device)
  RETURN d, null AS viewed, true AS recount, true AS whole
}
WITH d, max(viewed) AS viewed, true IN collect(recount) AS recount,
     true IN collect(whole) AS whole
FOREACH (_ IN CASE WHEN recount THEN [1] ELSE [] END |
  SET d.withdrawn = COLLECT {
    MATCH (d)-[:SEEN_WITH]->(l)-[k:CONSENTED]->(u)
    WHERE l.kind = 'login' AND k.granted = false
    RETURN DISTINCT u.name AS purpose ORDER BY purpose
  })
WITH collect(CASE WHEN whole OR recount THEN d END) AS changed,
     collect(CASE WHEN viewed IS NOT NULL AND NOT (whole OR recount) THEN [d, viewed] END)
       AS later
CALL (later) {
  UNWIND later AS seen
  WITH seen[0] AS d, seen[1] AS viewed
  MATCH (d)-[:BELONGS_TO]->(p:Person)
  WITH p, max(viewed) AS viewed
  WHERE p.last_viewed IS NULL OR viewed > p.last_viewed
  SET p.last_viewed = viewed
}
CALL (changed) {
  UNWIND changed AS d
  MATCH (d)-[:BELONGS_TO]->(p:Person)
  RETURN p
  UNION ALL
  UNWIND $rows AS row
  WITH row WHERE row.person IS NOT NULL
  MATCH (p:Person {id: row.person})
  RETURN p
}
WITH DISTINCT p
WITH p, [(p)<-[:BELONGS_TO]-(d:Device) | d] AS devices
SET p.device_types = [d IN devices | coalesce(d.type, 'unknown')],
    p.household = COLLECT { MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household) RETURN h.id }[0],
    p.last_viewed = COLLECT { UNWIND devices AS d RETURN max(d.last_viewed) AS day }[0],
    p.withdrawn = COLLECT {
      UNWIND devices AS d
      UNWIND coalesce(d.withdrawn, []) AS purpose
      RETURN DISTINCT purpose ORDER BY purpose },
    p.summary_version = 1
