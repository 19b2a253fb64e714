// name: analyst/segment_profile
// params: segment, limit
// returns: segment, name, kind, members, interest, interest_name, members_with_interest, share, mean_score
// A segment's profile: its size and the $limit interests most common among its members,
// with the share of members holding each and their mean score.
MATCH (s:Segment {id: $segment})
WITH s, COUNT { (:Person)-[:IN_SEGMENT]->(s) } AS members
MATCH (s)<-[:IN_SEGMENT]-(p:Person)-[r:INTERESTED_IN]->(i:Interest)
WITH s, members, i, count(p) AS holders, avg(r.score) AS mean_score
ORDER BY holders DESC, mean_score DESC, i.id
LIMIT $limit
RETURN s.id AS segment, s.name AS name, s.kind AS kind, members, i.id AS interest,
       i.name AS interest_name, holders AS members_with_interest,
       round(toFloat(holders) / members, 3) AS share, round(mean_score, 4) AS mean_score
