// name: analyst/recommendation_path
// params: device, content
// returns: paths
// Why a content is recommended to a device: the device's viewing that leads to it through
// SIMILAR neighbours, and its person's interests the content is tagged with.
MATCH (d:Device {id: $device}), (c:Content {id: $content})
OPTIONAL MATCH viewing = (d)-[:WATCHED]->(:Content)-[:SIMILAR]->(c)
OPTIONAL MATCH taste = (d)-[:BELONGS_TO]->(:Person)-[:INTERESTED_IN]->(:Interest)<-[:TAGGED]-(c)
RETURN collect(DISTINCT viewing) + collect(DISTINCT taste) AS paths
