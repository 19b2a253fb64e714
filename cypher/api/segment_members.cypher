// name: api/segment_members
// params: segment, after, limit
// returns: person, size, household
// Members of a segment by person id after $after ('' for the first page).
MATCH (p:Person)-[:IN_SEGMENT]->(:Segment {id: $segment})
WHERE p.id > $after
OPTIONAL MATCH (p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household)
RETURN p.id AS person, p.size AS size, h.id AS household
ORDER BY person
LIMIT $limit
