// name: keys/audit_events
// params: limit
// returns: id, at, key_id, role, action, target, outcome, detail
// The most recent calls the API audited (events carrying a key id), newest first.
MATCH (e:AuditEvent)
WHERE e.key_id IS NOT NULL
RETURN e.id AS id, toString(e.at) AS at, e.key_id AS key_id, e.role AS role,
       e.action AS action, e.target AS target, e.outcome AS outcome, e.detail AS detail
ORDER BY e.at DESC, e.id DESC
LIMIT $limit
