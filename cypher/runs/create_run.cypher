// name: runs/create_run
// params: id, stage, params, rule_versions, inputs, code_version
// returns: id
// Open a Run: what stage ran, with which parameters, rule versions, inputs and code.
CREATE (r:Run {id: $id, stage: $stage, status: 'running', started: datetime(),
               params: $params, rule_versions: $rule_versions, inputs: $inputs,
               code_version: $code_version})
RETURN r.id AS id
