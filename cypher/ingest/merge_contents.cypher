// name: ingest/merge_contents
// params: rows
// returns: key, node
// Content watched in a chunk, {id} each; one not yet in the catalog gets a bare node the
// catalog fills later. Answers each content's element id for the chunk's views.
UNWIND $rows AS row
MERGE (c:Content {id: row.id})
RETURN row.id AS key, elementId(c) AS node
