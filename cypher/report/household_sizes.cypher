// name: report/household_sizes
// params: run_id
// returns: size, count
// How many households the run published have each number of devices (the devices of their
// persons), as the identity report measures them.
MATCH (h:Household)<-[:MEMBER_OF_HOUSEHOLD]-(p:Person)
WHERE h.run_id = $run_id
WITH h, sum(p.size) AS size
RETURN size, count(*) AS count
ORDER BY size
