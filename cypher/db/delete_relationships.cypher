// name: db/delete_relationships
// params: keep
// returns: nothing
// Remove every relationship in batches (implicit transaction), except those between two
// nodes that both carry a label in $keep, so that deleting nodes afterwards never holds a
// dense node's relationships in one transaction. $keep empty: every relationship goes.
MATCH (a)-[r]->(b)
WHERE NOT (any(label IN labels(a) WHERE label IN $keep)
           AND any(label IN labels(b) WHERE label IN $keep))
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
