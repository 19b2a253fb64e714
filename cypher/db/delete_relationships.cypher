// name: db/delete_relationships
// params: none
// returns: nothing
// Remove every relationship in batches (implicit transaction), so that deleting nodes
// afterwards never holds a dense node's relationships in one transaction.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
