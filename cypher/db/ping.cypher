// name: db/ping
// params: none
// returns: ok
// The cheapest query that proves the database answers.
RETURN 1 AS ok
