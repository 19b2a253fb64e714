// name: api/runs_page
// params: stage, before_started, before_id, limit
// returns: id, stage, status, started, finished, code_version
// Runs newest first, optionally of one stage ('' for all), before the given (started, id)
// ('' for the first page).
MATCH (r:Run)
WHERE ($stage = '' OR r.stage = $stage)
  AND ($before_started = '' OR toString(r.started) < $before_started
       OR (toString(r.started) = $before_started AND r.id < $before_id))
RETURN r.id AS id, r.stage AS stage, r.status AS status, toString(r.started) AS started,
       toString(r.finished) AS finished, r.code_version AS code_version
ORDER BY started DESC, id DESC
LIMIT $limit
