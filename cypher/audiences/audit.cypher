// name: audiences/audit
// params: id, at, actor, action, audience, version, detail
// returns: id
// One audit record: who did what to which audience version, when; linked to the version
// when it exists.
CREATE (e:AuditEvent {id: $id, at: $at, actor: $actor, action: $action,
                      audience: $audience, version: $version, detail: $detail})
WITH e
OPTIONAL MATCH (a:Audience {id: $audience})
FOREACH (x IN CASE WHEN a IS NULL THEN [] ELSE [a] END | CREATE (e)-[:ABOUT]->(x))
RETURN e.id AS id
