// name: segments/gds_project
// params: graph_name, edges
// returns: nodes, relationships
// Project the person similarity graph {a, b, w} (undirected, weighted) into GDS.
UNWIND $edges AS e
MATCH (a:Person {id: e.a})
MATCH (b:Person {id: e.b})
WITH gds.graph.project($graph_name, a, b, {relationshipProperties: {weight: e.w}},
                       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships
