// name: recommend/clear_similar
// params: limit
// returns: deleted
// Delete up to $limit SIMILAR relationships; run until it deletes none.
MATCH (:Content)-[s:SIMILAR]->(:Content)
WITH s LIMIT $limit
DELETE s
RETURN count(*) AS deleted
