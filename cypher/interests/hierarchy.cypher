// name: interests/hierarchy
// params: taxonomy
// returns: id, parent, name, sensitive
// Every interest of a taxonomy with its parent (null for tier 1).
MATCH (i:Interest {taxonomy: $taxonomy})
OPTIONAL MATCH (i)-[:CHILD_OF]->(p:Interest)
RETURN i.id AS id, p.id AS parent, i.name AS name, coalesce(i.sensitive, false) AS sensitive
ORDER BY id
