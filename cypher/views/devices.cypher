// name: views/devices
// params: none
// returns: devices
// Every device id, in one row: the reader cuts them into blocks for views/watched.
MATCH (d:Device)
RETURN collect(d.id) AS devices
