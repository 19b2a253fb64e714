// name: segments/interest_names
// params: none
// returns: ids, names, tiers
// Every interest's id, name and tier as parallel lists, for segment profiles.
MATCH (i:Interest)
RETURN collect(i.id) AS ids, collect(i.name) AS names, collect(i.tier) AS tiers
