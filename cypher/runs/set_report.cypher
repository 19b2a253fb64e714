// name: runs/set_report
// params: id, report
// returns: id
// Replace a closed Run's report (JSON) with one that adds figures measured after the stage:
// the scores against a truth that only the caller holds.
MATCH (r:Run {id: $id})
SET r.report = $report
RETURN r.id AS id
