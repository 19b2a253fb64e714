// name: db/delete_all
// params: none
// returns: nothing
// Remove every node and relationship in batches (runs as an implicit transaction).
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
