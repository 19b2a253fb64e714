// name: db/content_summary
// params: none
// returns: summary
// What ingest built, as counts and sums that two ways of building it must agree on: nodes
// per label and kind, relationships per type, and the sums of their folded figures.
CALL () {
  MATCH (d:Device)
  RETURN {devices: count(d), typed: count(d.type), viewed: count(d.last_viewed),
          last_viewed: max(d.last_viewed), withdrawn: sum(size(coalesce(d.withdrawn, []))),
          first: min(d.first_seen), last: max(d.last_seen)} AS devices
}
CALL () {
  MATCH (i:Identifier)
  WITH i.kind AS kind, count(*) AS n, count(i.network) AS networks, count(i.ip_class) AS classes,
       min(i.first_seen) AS first, max(i.last_seen) AS last
  RETURN collect({kind: kind, n: n, networks: networks, classes: classes, first: first,
                  last: last}) AS identifiers
}
CALL () {
  MATCH (:Device)-[s:SEEN_WITH]->(:Identifier)
  RETURN {n: count(s), count: sum(s.count), days: sum(size(s.days)),
          day_counts: sum(reduce(t = 0, c IN s.day_counts | t + c)),
          first: min(s.first_seen), last: max(s.last_seen)} AS sightings
}
CALL () {
  MATCH (:Device)-[w:WATCHED]->(:Content)
  RETURN {n: count(w), count: sum(w.count), seconds: sum(w.seconds), days: sum(size(w.days)),
          day_seconds: sum(reduce(t = 0, c IN w.day_seconds | t + c)), first: min(w.first),
          last: max(w.last)} AS views
}
CALL () {
  MATCH (c:Content)
  RETURN {n: count(c), titled: count(c.title), genres: sum(size(coalesce(c.genres, []))),
          iab_ids: sum(size(coalesce(c.iab_ids, [])))} AS contents
}
CALL () {
  MATCH (:Identifier)-[k:CONSENTED]->(p:Purpose)
  RETURN {n: count(k), granted: sum(CASE WHEN k.granted THEN 1 ELSE 0 END), at: max(k.at),
          purposes: count(DISTINCT p)} AS consent
}
CALL () {
  MATCH (b:IngestBatch)
  RETURN {n: count(b), complete: sum(CASE WHEN b.status = 'complete' THEN 1 ELSE 0 END),
          read: sum(b.read), accepted: sum(b.accepted), rejected: sum(b.rejected),
          duplicates: sum(b.duplicates), last_day: max(b.last_day)} AS batches
}
RETURN {devices: devices, identifiers: identifiers, sightings: sightings, views: views,
        contents: contents, consent: consent, batches: batches} AS summary
