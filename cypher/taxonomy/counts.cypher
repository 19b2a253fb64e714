// name: taxonomy/counts
// params: none
// returns: taxonomy, categories, tier1, sensitive, links
// What the graph holds per taxonomy.
MATCH (i:Interest)
RETURN i.taxonomy AS taxonomy, count(*) AS categories,
       count(CASE WHEN i.tier = 1 THEN 1 END) AS tier1,
       count(CASE WHEN i.sensitive THEN 1 END) AS sensitive,
       sum(COUNT { (i)-[:CHILD_OF]->() }) AS links
ORDER BY taxonomy
