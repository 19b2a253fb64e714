// name: keys/revoke_key
// params: id
// returns: id, revoked_at
// Revoke a key by id (idempotent: the first revocation time is kept).
MATCH (k:ApiKey {id: $id})
SET k.revoked = true, k.revoked_at = coalesce(k.revoked_at, datetime())
RETURN k.id AS id, toString(k.revoked_at) AS revoked_at
