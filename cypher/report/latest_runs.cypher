// name: report/latest_runs
// params: stages
// returns: run
// The latest finished run (complete or failed) of each of $stages, as runs/get_run gives it.
UNWIND $stages AS stage
CALL (stage) {
  MATCH (r:Run {stage: stage})
  WHERE r.status <> 'running'
  RETURN r
  ORDER BY r.started DESC
  LIMIT 1
}
RETURN r {.*, started: toString(r.started), finished: toString(r.finished)} AS run
