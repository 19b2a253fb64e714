// name: identity/person_summary
// params: rows
// returns: nothing
// The one writer of the person summary, the projection of consent, device types, recency
// and the household that segment rules and audiences read (conditions/members), and of
// `Device.withdrawn`, the device's part of it. Rows name what changed: {device} a device a
// network or viewing chunk touched, {login} a login whose consent a consent chunk changed
// (all the devices seen with it), {person} a person identity published.
// The consent rule lives here and nowhere else: a device's `withdrawn` is the purposes for
// which a login seen with the device withdrew consent (a CONSENTED with granted false),
// sorted; it is recomputed from the whole graph for the devices that rows {device} and
// {login} name, so replaying a chunk is harmless. Then, for the persons of those devices
// and the persons named:
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
// merged it) can only be planned as a unique index seek, so the row's node is found by its
// key and nothing but the device anchors the recomputation. The persons' union is UNION ALL,
// made distinct after it: a UNION inside the subquery is made distinct together with the
// imported list of changed devices, which holds that whole list once per person (quadratic
// memory: 6,807 logins of a consent day on the 1M-device graph went past Neo4j's
// transaction memory).
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.device IS NOT NULL
  MERGE (d:Device {id: row.device})
  RETURN d
  UNION
  WITH row WHERE row.login IS NOT NULL
  MERGE (l:Identifier {kind: 'login', value: row.login})
  WITH l
  MATCH (l)<-[:SEEN_WITH]-(d:Device)
  RETURN d
}
WITH DISTINCT d
SET d.withdrawn = COLLECT {
  MATCH (d)-[:SEEN_WITH]->(l)-[k:CONSENTED]->(u)
  WHERE l.kind = 'login' AND k.granted = false
  RETURN DISTINCT u.name AS purpose ORDER BY purpose
}
WITH collect(d) AS changed
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
