// name: tools/bench_population
// params: none
// returns: devices, contents
// Every device id and every content id: the populations the API benchmark draws its
// subjects from (a skewed mix over all devices, neighbours of every content).
CALL () { MATCH (d:Device) RETURN collect(d.id) AS devices }
CALL () { MATCH (c:Content) RETURN collect(c.id) AS contents }
RETURN devices, contents
