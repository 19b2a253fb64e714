// name: identity/gds_project
// params: graph_name, edges
// returns: nodes, relationships
// Project the eligible device-identifier edge list (integer ids) as an undirected
// in-memory graph for Weakly Connected Components.
UNWIND $edges AS edge
WITH gds.graph.project($graph_name, edge[0], edge[1], {}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships
