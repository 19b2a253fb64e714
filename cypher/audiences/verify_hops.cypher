// name: audiences/verify_hops
// params: hops
// returns: key, found
// Whether each stored explanation hop {key, source, type, target} exists in the graph now.
// The relationship type chooses one fixed pattern; unknown types are not found.
UNWIND $hops AS h
RETURN h.key AS key, CASE h.type
  WHEN 'BELONGS_TO' THEN EXISTS {
    MATCH (:Device {id: h.source})-[:BELONGS_TO]->(:Person {id: h.target}) }
  WHEN 'WATCHED' THEN EXISTS {
    MATCH (:Device {id: h.source})-[:WATCHED]->(:Content {id: h.target}) }
  WHEN 'TAGGED' THEN EXISTS {
    MATCH (:Content {id: h.source})-[:TAGGED]->(:Interest {id: h.target}) }
  WHEN 'CHILD_OF*' THEN EXISTS {
    MATCH (:Interest {id: h.source})-[:CHILD_OF*1..]->(:Interest {id: h.target}) }
  WHEN 'INTERESTED_IN' THEN EXISTS {
    MATCH (:Person {id: h.source})-[:INTERESTED_IN]->(:Interest {id: h.target}) }
  WHEN 'IN_SEGMENT' THEN EXISTS {
    MATCH (:Person {id: h.source})-[:IN_SEGMENT]->(:Segment {id: h.target}) }
  WHEN 'MEMBER_OF_HOUSEHOLD' THEN EXISTS {
    MATCH (:Person {id: h.source})-[:MEMBER_OF_HOUSEHOLD]->(:Household {id: h.target}) }
  ELSE false
END AS found
