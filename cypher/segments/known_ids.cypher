// name: segments/known_ids
// params: interests, segments
// returns: interests, sensitive, segments
// Which of the given interest and segment ids exist, and which interests are sensitive.
OPTIONAL MATCH (i:Interest) WHERE i.id IN $interests
WITH collect(i.id) AS interests, collect(CASE WHEN i.sensitive THEN i.id END) AS sensitive
OPTIONAL MATCH (s:Segment) WHERE s.id IN $segments
RETURN interests, sensitive, collect(s.id) AS segments
