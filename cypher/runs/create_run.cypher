// name: runs/create_run
// params: id, stage, params, rule_versions, inputs, code_version, rules
// returns: id
// Open a Run: what stage ran, with which parameters, rule versions, rules (JSON, or null
// for a stage without a rules file), inputs and code.
CREATE (r:Run {id: $id, stage: $stage, status: 'running', started: datetime(),
               params: $params, rule_versions: $rule_versions, inputs: $inputs,
               code_version: $code_version, rules: $rules})
RETURN r.id AS id
