// name: identity/devices
// params: none
// returns: id
// Every device id.
MATCH (d:Device)
RETURN d.id AS id
