// name: db/label_counts
// params: none
// returns: label, count
// Node count per label from the count store, for `proteus db status` and the run report.
CALL db.stats.retrieve('GRAPH COUNTS') YIELD data
UNWIND data.nodes AS entry
WITH entry WHERE entry.label IS NOT NULL
RETURN entry.label AS label, entry.count AS count
ORDER BY label
