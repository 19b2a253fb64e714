// name: audiences/list
// params: none
// returns: audience
// Every audience version, without its definition text.
MATCH (a:Audience)
RETURN a {.id, .name, .version, .status, .purpose, .target, .size, .policy_version,
          .created_by, .created_at} AS audience
ORDER BY a.name, a.version
