// name: audiences/audit_events
// params: audience_name
// returns: event
// The audit trail of every version of an audience, oldest first.
MATCH (e:AuditEvent)
WHERE e.audience STARTS WITH $audience_name + '@v' OR e.audience = $audience_name
RETURN e {.*} AS event
ORDER BY e.at, e.id
