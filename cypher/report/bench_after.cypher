// name: report/bench_after
// params: stage, after
// returns: run
// The latest complete run of a benchmark stage that started after $after (an ISO datetime):
// a benchmark measured on what the reported run built.
MATCH (r:Run {stage: $stage, status: 'complete'})
WHERE r.started >= datetime($after)
RETURN r {.*, started: toString(r.started), finished: toString(r.finished)} AS run
ORDER BY r.started DESC
LIMIT 1
