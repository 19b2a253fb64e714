// name: keys/lookup_key
// params: hash
// returns: id, name, role, revoked
// The key whose hash this is (no row when none).
MATCH (k:ApiKey {hash: $hash})
RETURN k.id AS id, k.name AS name, k.role AS role, k.revoked AS revoked
