// name: taxonomy/remove_stale
// params: taxonomy, ids
// returns: removed
// Interests of a taxonomy that the loaded file no longer has, with their relationships.
MATCH (i:Interest {taxonomy: $taxonomy})
WHERE NOT i.id IN $ids
DETACH DELETE i
RETURN count(*) AS removed
