// name: tools/segment_devices
// params: none
// returns: segment, persons
// Each community segment with, per member person, the ids of its devices (the pipeline
// benchmark compares segments with the generator's taste communities through them).
MATCH (s:Segment {kind: 'community'})<-[:IN_SEGMENT]-(p:Person)
WITH s, p, [(p)<-[:BELONGS_TO]-(d:Device) | d.id] AS devices
RETURN s.id AS segment, collect(devices) AS persons
