// name: keys/create_key
// params: id, key_name, role, hash
// returns: id, name, role, created
// Store a new API key: only its SHA-256 hash, never the key itself.
CREATE (k:ApiKey {id: $id, name: $key_name, role: $role, hash: $hash,
                  created: datetime(), revoked: false})
RETURN k.id AS id, k.name AS name, k.role AS role, toString(k.created) AS created
