// name: taxonomy/clear_parents
// params: taxonomy
// returns: nothing
// Parent links of a taxonomy, removed before the file's links are written again.
MATCH (:Interest {taxonomy: $taxonomy})-[r:CHILD_OF]->(:Interest)
DELETE r
