// name: api/segments_page
// params: after, limit
// returns: id, name, kind, version, size, run_id
// Segments by id after $after ('' for the first page), $limit of them.
MATCH (s:Segment)
WHERE s.id > $after
RETURN s.id AS id, s.name AS name, s.kind AS kind, s.version AS version,
       s.size AS size, s.run_id AS run_id
ORDER BY id
LIMIT $limit
