// name: api/graph_version
// params: stages
// returns: stage, run_id, finished
// Per stage in $stages, the run that ended last (complete, or failed after writing part of
// its work): the graph changes only in runs, so these say whether anything an API route
// reads changed. Polled at most once a second per API worker.
MATCH (r:Run)
WHERE r.stage IN $stages AND r.status IN ['complete', 'failed']
WITH r ORDER BY r.finished DESC, r.id DESC
RETURN r.stage AS stage, collect(r.id)[0] AS run_id, toString(max(r.finished)) AS finished
