// name: ingest/merge_consent
// params: rows
// returns: nothing
// Consent per (account, purpose): {account, purpose, granted, at}; the latest event wins,
// whatever order the files arrive in.
UNWIND $rows AS row
MERGE (i:Identifier {kind: 'login', value: row.account})
ON CREATE SET i.first_seen = row.at, i.last_seen = row.at
MERGE (p:Purpose {name: row.purpose})
MERGE (i)-[c:CONSENTED]->(p)
ON CREATE SET c.granted = row.granted, c.at = row.at
WITH c, row WHERE row.at > c.at
SET c.granted = row.granted, c.at = row.at
