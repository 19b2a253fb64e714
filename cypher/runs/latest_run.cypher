// name: runs/latest_run
// params: stage, status
// returns: run
// The most recent Run of a stage with the given status.
MATCH (r:Run {stage: $stage, status: $status})
RETURN r {.*, started: toString(r.started), finished: toString(r.finished)} AS run
ORDER BY r.started DESC
LIMIT 1
