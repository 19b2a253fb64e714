// name: interests/content_count
// params:
// returns: contents
// How many contents the catalog holds (to tell how much of it carries taxonomy tags).
MATCH (c:Content)
RETURN count(c) AS contents
