// name: keys/list_keys
// params: none
// returns: id, name, role, created, revoked, revoked_at
// Every API key, oldest first, without hashes.
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, toString(k.created) AS created,
       k.revoked AS revoked, toString(k.revoked_at) AS revoked_at
ORDER BY k.created, k.id
