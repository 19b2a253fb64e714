// name: db/apoc_version
// params: none
// returns: version
// APOC core's version; fails when APOC is not loaded.
RETURN apoc.version() AS version
