// name: audiences/interest_parents
// params: none
// returns: id, parent
// Every interest with its parent (null for tier 1), for the Audience 1.1 mapping.
MATCH (i:Interest)
OPTIONAL MATCH (i)-[:CHILD_OF]->(p:Interest)
RETURN i.id AS id, p.id AS parent
