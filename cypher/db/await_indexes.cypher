// name: db/await_indexes
// params: none
// returns: nothing
// Wait until every index is online (after a bulk load the schema's indexes are built from
// the imported store).
CALL db.awaitIndexes(600)
