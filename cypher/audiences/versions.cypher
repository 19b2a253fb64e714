// name: audiences/versions
// params: audience_name
// returns: audience
// Every version of an audience, newest first.
MATCH (a:Audience {name: $audience_name})
RETURN a {.*} AS audience
ORDER BY a.version DESC
