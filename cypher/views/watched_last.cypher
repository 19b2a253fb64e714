// name: views/watched_last
// params: devices
// returns: device, content, last
// When each WATCHED aggregate of a block of devices was last watched (epoch seconds), as
// parallel lists in one row; only the offline evaluation of recommendations asks for it.
UNWIND range(0, size($devices) - 1) AS k
MATCH (:Device {id: $devices[k]})-[w:WATCHED]->(c:Content)
RETURN collect(k) AS device, collect(c.id) AS content, collect(w.last.epochSeconds) AS last
