// name: views/watched
// params: devices
// returns: device, content, day_lengths, days, day_seconds
// The WATCHED aggregates of a block of devices as parallel lists in one row: `device` is
// the position in $devices, each relationship's days are `day_lengths` consecutive entries
// of the flat `days` / `day_seconds` lists. Only the properties every stage needs are read
// (reading a relationship property costs the server about as much as finding it).
UNWIND range(0, size($devices) - 1) AS k
MATCH (:Device {id: $devices[k]})-[w:WATCHED]->(c:Content)
WITH collect(k) AS device, collect(c.id) AS content, collect(w.days) AS days,
     collect(w.day_seconds) AS day_seconds
RETURN device, content, [d IN days | size(d)] AS day_lengths, apoc.coll.flatten(days) AS days,
       apoc.coll.flatten(day_seconds) AS day_seconds
