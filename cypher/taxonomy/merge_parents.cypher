// name: taxonomy/merge_parents
// params: rows
// returns: nothing
// Parent links {id, parent}: (child)-[:CHILD_OF]->(parent).
UNWIND $rows AS row
MATCH (c:Interest {id: row.id})
MATCH (p:Interest {id: row.parent})
MERGE (c)-[:CHILD_OF]->(p)
