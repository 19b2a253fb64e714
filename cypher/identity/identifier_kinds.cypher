// name: identity/identifier_kinds
// params: none
// returns: kind
// The identifier kinds present in the graph.
MATCH (i:Identifier)
RETURN DISTINCT i.kind AS kind
