// name: interests/clear_profiles
// params: limit
// returns: deleted
// Remove up to $limit INTERESTED_IN relationships (called until none is left).
MATCH (:Person)-[r:INTERESTED_IN]->(:Interest)
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
