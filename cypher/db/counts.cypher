// name: db/counts
// params: none
// returns: nodes, relationships
// Node and relationship counts from the count store (constant time).
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
