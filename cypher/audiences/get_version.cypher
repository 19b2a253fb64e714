// name: audiences/get_version
// params: id
// returns: audience
// One audience version by id (`name@vN`).
MATCH (a:Audience {id: $id})
RETURN a {.*} AS audience
