// name: report/person_sizes
// params: run_id
// returns: size, count
// How many persons the run published have each number of devices.
MATCH (p:Person)
WHERE p.run_id = $run_id
RETURN p.size AS size, count(*) AS count
ORDER BY size
