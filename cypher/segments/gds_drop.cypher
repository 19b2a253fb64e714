// name: segments/gds_drop
// params: graph_name
// returns: name
// Drop the in-memory GDS projection if it exists.
CALL gds.graph.drop($graph_name, false) YIELD graphName
RETURN graphName AS name
