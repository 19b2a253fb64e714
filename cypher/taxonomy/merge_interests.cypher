// name: taxonomy/merge_interests
// params: rows, run_id
// returns: nothing
// Interest nodes of one taxonomy: {id, iab_id, name, tier, taxonomy, version, sensitive, source}.
UNWIND $rows AS row
MERGE (i:Interest {id: row.id})
SET i.iab_id = row.iab_id, i.name = row.name, i.tier = row.tier, i.taxonomy = row.taxonomy,
    i.version = row.version, i.sensitive = row.sensitive, i.source = row.source,
    i.run_id = $run_id
