// name: db/delete_all
// params: keep
// returns: nothing
// Remove every node without a label in $keep, and its relationships, in batches (runs as
// an implicit transaction). $keep empty: every node goes.
MATCH (n)
WHERE none(label IN labels(n) WHERE label IN $keep)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
