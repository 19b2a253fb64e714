// name: runs/run_node
// params: id
// returns: run
// One Run's properties as stored (a bulk load carries the Run into the new database).
MATCH (r:Run {id: $id})
RETURN properties(r) AS run
