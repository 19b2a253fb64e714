// name: api/graph_version
// params: stages
// returns: stage, run_id, finished, running
// Per stage in $stages, the run that ended last (complete, or failed after writing part of
// its work) and how many runs are under way: the graph changes only in runs, so these say
// whether anything an API route reads changed, or may change soon. Polled at most once a
// second per API worker.
MATCH (r:Run)
WHERE r.stage IN $stages
WITH r ORDER BY r.finished DESC, r.id DESC
RETURN r.stage AS stage,
       collect(CASE WHEN r.status IN ['complete', 'failed'] THEN r.id END)[0] AS run_id,
       toString(max(CASE WHEN r.status IN ['complete', 'failed'] THEN r.finished END))
         AS finished,
       count(CASE WHEN r.status = 'running' THEN 1 END) AS running
