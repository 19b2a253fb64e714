// name: identity/graph_size
// params: none
// returns: devices, links
// How many devices and sightings the graph holds (from the count store), to check that a
// read by blocks saw every one.
RETURN COUNT { MATCH (:Device) } AS devices, COUNT { MATCH ()-[:SEEN_WITH]->() } AS links
