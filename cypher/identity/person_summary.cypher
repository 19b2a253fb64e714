// name: identity/person_summary
// params: rows
// returns: nothing
// Keeps the summary audiences read on each person equal to what its devices say, for the
// persons of the devices named by rows {device}, or of the devices seen with a login, rows
// {login}:
//   device_types  the type of each of its devices, one entry per device ('unknown' when not
//                 known), so that counting devices of some types needs no walk;
//   last_viewed   the latest day any of its devices watched something (absent when none);
//   withdrawn     the purposes a login seen with one of its devices withdrew, sorted;
//   household     the id of its household (absent when none).
// Identity writes it for every person it publishes; ingest refreshes it for the persons of
// every device a chunk touches (after ingest/device_consent in the same transaction). A
// device lacking `last_viewed` or `withdrawn` (loaded before they existed) is read through
// its relationships. The seeks are pinned as in ingest/device_consent.
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
MATCH (d)-[:BELONGS_TO]->(p:Person)
WITH DISTINCT p
WITH p, [(p)<-[:BELONGS_TO]-(d:Device) | d] AS devices
SET p.device_types = [d IN devices | coalesce(d.type, 'unknown')],
    p.household = COLLECT { MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household) RETURN h.id }[0],
    p.last_viewed = COLLECT {
      UNWIND devices AS d
      UNWIND CASE WHEN d.last_viewed IS NULL
                  THEN COLLECT { MATCH (d)-[w:WATCHED]->() UNWIND w.days AS seen RETURN seen }
                  ELSE [d.last_viewed] END AS day
      RETURN max(day) AS day }[0],
    p.withdrawn = COLLECT {
      UNWIND devices AS d
      UNWIND CASE WHEN d.withdrawn IS NULL
                  THEN COLLECT { MATCH (d)-[:SEEN_WITH]->(l)-[k:CONSENTED]->(u)
                                 WHERE l.kind = 'login' AND k.granted = false
                                 RETURN u.name }
                  ELSE d.withdrawn END AS purpose
      RETURN DISTINCT purpose ORDER BY purpose }
