// name: runs/get_run
// params: id
// returns: run
// One Run with everything it recorded.
MATCH (r:Run {id: $id})
RETURN r {.*, started: toString(r.started), finished: toString(r.finished)} AS run
