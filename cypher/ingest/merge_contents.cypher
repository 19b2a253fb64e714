// name: ingest/merge_contents
// params: rows
// returns: nothing
// Content watched in a chunk, {id} each; one not yet in the catalog gets a bare node the
// catalog fills later.
UNWIND $rows AS row
MERGE (c:Content {id: row.id})
