// name: identity/gds_wcc
// params: graph_name
// returns: node, component
// Weakly Connected Components of a projected graph, streamed as (integer id, component).
CALL gds.wcc.stream($graph_name) YIELD nodeId, componentId
RETURN nodeId AS node, componentId AS component
