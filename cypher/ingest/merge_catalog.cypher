// name: ingest/merge_catalog
// params: rows
// returns: nothing
// Catalog entries: {id, title, kind, genres, iab_ids}; the latest file wins.
UNWIND $rows AS row
MERGE (c:Content {id: row.id})
SET c.title = row.title, c.kind = row.kind, c.genres = row.genres, c.iab_ids = row.iab_ids
