// name: runs/finish_run
// params: id, status, report
// returns: id
// Close a Run with its status and its stage report (JSON).
MATCH (r:Run {id: $id})
SET r.status = $status, r.finished = datetime(), r.report = $report
RETURN r.id AS id
