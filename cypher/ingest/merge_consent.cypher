// name: ingest/merge_consent
// params: rows
// returns: nothing
// Consent per (account, purpose): {account, purpose, granted, at}; the latest event wins,
// whatever order the files arrive in.
UNWIND $rows AS row
WITH row, datetime({epochSeconds: row.at}) AS at
MERGE (i:Identifier {kind: 'login', value: row.account})
ON CREATE SET i.first_seen = at, i.last_seen = at
MERGE (p:Purpose {name: row.purpose})
MERGE (i)-[c:CONSENTED]->(p)
ON CREATE SET c.granted = row.granted, c.at = at
WITH c, row, at WHERE at > c.at
SET c.granted = row.granted, c.at = at
