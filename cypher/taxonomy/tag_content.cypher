// name: taxonomy/tag_content
// params: prefix, genres, run_id
// returns: contents, tags, unknown
// Replace every (:Content)-[:TAGGED]->(:Interest) from Content.iab_ids (Content 3.1 ids)
// and from Content.genres through the CTV genre mapping ($genres: genre -> official id).
// `unknown` counts iab ids on content that match no Interest.
MATCH (:Content)-[t:TAGGED]->(:Interest)
DELETE t
WITH count(*) AS cleared
MATCH (c:Content)
WITH c, [x IN coalesce(c.iab_ids, []) | $prefix + x] AS listed,
     [g IN coalesce(c.genres, []) WHERE $genres[g] IS NOT NULL | $prefix + $genres[g]] AS mapped
WITH c, listed, listed + [m IN mapped WHERE NOT m IN listed] AS wanted
OPTIONAL MATCH (i:Interest) WHERE i.id IN wanted
WITH c, listed, collect(i) AS found
FOREACH (i IN found | MERGE (c)-[t:TAGGED]->(i) SET t.run_id = $run_id)
RETURN count(CASE WHEN size(found) > 0 THEN c END) AS contents,
       sum(size(found)) AS tags,
       sum(size([x IN listed WHERE NOT x IN [i IN found | i.id]])) AS unknown
