// name: api/segment
// params: segment
// returns: segment, members
// One segment with all its properties and its current member count.
MATCH (s:Segment {id: $segment})
RETURN s {.*} AS segment, COUNT { (:Person)-[:IN_SEGMENT]->(s) } AS members
