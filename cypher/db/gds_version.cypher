// name: db/gds_version
// params: none
// returns: version
// Graph Data Science's version; fails when GDS is not loaded.
RETURN gds.version() AS version
