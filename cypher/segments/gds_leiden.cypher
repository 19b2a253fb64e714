// name: segments/gds_leiden
// params: graph_name, gamma, seed
// returns: person, community
// Leiden (modularity, resolution gamma) on the projection, single-threaded and seeded.
CALL gds.leiden.stream($graph_name, {relationshipWeightProperty: 'weight', gamma: $gamma,
                               randomSeed: $seed, concurrency: 1, maxLevels: 10})
YIELD nodeId, communityId
RETURN gds.util.asNode(nodeId).id AS person, communityId AS community
