// name: audiences/audit_many
// params: events, at, actor, audience, version
// returns: id
// Several audit records of one actor on one audience version in one write, each event
// {id, action, detail}; linked to the version when it exists.
OPTIONAL MATCH (a:Audience {id: $audience})
UNWIND $events AS event
CREATE (e:AuditEvent {id: event.id, at: $at, actor: $actor, action: event.action,
                      audience: $audience, version: $version, detail: event.detail})
FOREACH (x IN CASE WHEN a IS NULL THEN [] ELSE [a] END | CREATE (e)-[:ABOUT]->(x))
RETURN e.id AS id
