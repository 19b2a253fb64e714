// name: identity/run_rules
// params: run_id
// returns: rule_versions
// The rule versions a run recorded (JSON).
MATCH (r:Run {id: $run_id})
RETURN r.rule_versions AS rule_versions
