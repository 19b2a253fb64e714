// name: ingest/connector_part
// params: events
// returns: nothing
// The frame around an ingest query when the Neo4j Connector for Apache Spark writes it
// (proteus/spark/write.py). The connector binds each batch of a partition's rows to $events
// and runs `UNWIND $events AS event` before this text; the ingest query's own text (its
// `$rows` read as `$events`) takes the place of WRITE_ROWS. Every batch is one part of a
// group: each row carries the part's marker in `_part`, and the part's first row the
// group's id in `_group`. The part's rows and its marker commit in one transaction, and a
// part whose marker the group already holds writes nothing, so a part written twice (a
// resumed group, a retried task) counts once, as on the embedded path (ingest/mark_written).
// A batch that is not one whole part (no group id on its first row, or rows of another part)
// leaves the group id null, and MERGE on it fails the transaction rather than write rows that
// a resumed group would write again.
WITH $events[0] AS head, count(event) AS size
WITH head, CASE WHEN head._group IS NOT NULL AND all(e IN $events WHERE e._part = head._part)
                THEN head._group END AS group_id
MERGE (g:IngestGroup {id: group_id})
WITH g, head
WHERE NOT head._part IN g.done_parts
CALL () {
  WRITE_ROWS
}
SET g.done_parts = g.done_parts + head._part
