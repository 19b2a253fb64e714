// name: audiences/approve
// params: id, actor, at
// returns: audience
// Approve a draft version; no row when it is not a draft.
MATCH (a:Audience {id: $id})
WHERE a.status = 'draft'
SET a.status = 'approved', a.approved_by = $actor, a.approved_at = $at,
    a.status_by = $actor, a.status_at = $at
RETURN a {.*} AS audience
