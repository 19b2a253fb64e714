// name: identity/write_exclusions
// params: run_id, version, rows
// returns: written
// Record identifiers the rules excluded: (:Run)-[:EXCLUDED {rule, scope, detail, version}]->
// (:Identifier). Rows: {kind, value, rule, scope, detail}.
MATCH (run:Run {id: $run_id})
UNWIND $rows AS row
MATCH (i:Identifier {kind: row.kind, value: row.value})
CREATE (run)-[:EXCLUDED {rule: row.rule, scope: row.scope, detail: row.detail,
                         version: $version}]->(i)
RETURN count(*) AS written
