// name: audiences/withdrawn_persons
// params: persons, purpose, summary_version
// returns: person, stale
// Which of $persons now withdraw consent for $purpose, as their summary says (the consent
// rule lives in its writer, identity/person_summary); persons no longer in the graph are
// returned too (nothing vouches for them), and so is a person whose summary is missing or
// not of $summary_version, with `stale` true, for the caller to refuse.
UNWIND $persons AS pid
OPTIONAL MATCH (p:Person {id: pid})
WITH pid, p, p IS NOT NULL AND coalesce(p.summary_version <> $summary_version, true) AS stale
WHERE p IS NULL OR stale OR $purpose IN p.withdrawn
RETURN pid AS person, stale
