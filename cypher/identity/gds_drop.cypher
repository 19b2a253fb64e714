// name: identity/gds_drop
// params: graph_name
// returns: graph_name
// Drop a projected graph; nothing happens when it does not exist.
CALL gds.graph.drop($graph_name, false) YIELD graphName
RETURN graphName AS graph_name
