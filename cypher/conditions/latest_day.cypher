// name: conditions/latest_day
// params: none
// returns: day
// The latest viewing day in the graph (ISO date); recency in segment rules and audience
// definitions counts back from it. Ingest records each viewing batch's last day, so this
// reads a few batch nodes; a graph written without batches (fixtures) falls back to the
// viewing relationships themselves.
OPTIONAL MATCH (b:IngestBatch {kind: 'viewing'})
WITH max(b.last_day) AS recorded
CALL (recorded) {
  WITH recorded WHERE recorded IS NULL
  MATCH (:Device)-[w:WATCHED]->(:Content)
  RETURN max(w.days[-1]) AS scanned
}
RETURN coalesce(recorded, scanned) AS day
