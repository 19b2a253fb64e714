// name: audiences/set_status
// params: id, status, allowed, actor, at
// returns: audience
// Move a version to $status when its current status is one of $allowed; no row otherwise.
MATCH (a:Audience {id: $id})
WHERE a.status IN $allowed
SET a.status = $status, a.status_by = $actor, a.status_at = $at
RETURN a {.*} AS audience
