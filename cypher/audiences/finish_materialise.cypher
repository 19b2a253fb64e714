// name: audiences/finish_materialise
// params: id, size, persons, households, devices, excluded_consent, reference_day, run_id, actor, at
// returns: audience
// Mark a version materialised (active) with its counts and the run that wrote its members.
MATCH (a:Audience {id: $id})
SET a.status = 'active', a.size = $size, a.persons = $persons, a.households = $households,
    a.devices = $devices, a.excluded_consent = $excluded_consent,
    a.reference_day = $reference_day, a.run_id = $run_id, a.materialised_by = $actor,
    a.materialised_at = $at, a.status_by = $actor, a.status_at = $at
RETURN a {.*} AS audience
