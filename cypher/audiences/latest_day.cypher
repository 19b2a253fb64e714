// name: audiences/latest_day
// params: none
// returns: day
// The latest viewing day in the graph: recency in definitions counts back from it.
MATCH (:Device)-[w:WATCHED]->(:Content)
RETURN max(w.days[-1]) AS day
