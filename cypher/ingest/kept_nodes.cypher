// name: ingest/kept_nodes
// params: label
// returns: node
// The nodes of one label that a bulk load carries into the new database (API keys and the
// audit trail): every property, as stored. `label` comes from a fixed list in the code.
MATCH (n)
WHERE $label IN labels(n)
RETURN properties(n) AS node
