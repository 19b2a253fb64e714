// name: identity/link_columns
// params: bounds
// returns: kinds, values, networks, ip_classes, degrees, devices, day_counts, days
// Every device-identifier sighting as columns, one record per block of identifiers: the
// identifiers whose kind is bound[0] and whose value lies in [bound[1], bound[2]). Per
// identifier its kind, value, network and ip_class ('' when absent) and degree (how many
// links follow); per link, in the same order, its device id and how many days follow;
// then every day of every link (ISO dates), flattened.
UNWIND $bounds AS bound
CALL (bound) {
  MATCH (i:Identifier)
  WHERE i.kind = bound[0] AND i.value >= bound[1] AND i.value < bound[2]
  MATCH (i)<-[s:SEEN_WITH]-(d:Device)
  WITH i, collect(d.id) AS devices, collect(s.days) AS days
  WITH collect(i.kind) AS kinds, collect(i.value) AS values,
       collect(coalesce(i.network, '')) AS networks,
       collect(coalesce(i.ip_class, '')) AS ip_classes, collect(size(devices)) AS degrees,
       collect(devices) AS devices, collect(days) AS days
  RETURN kinds, values, networks, ip_classes, degrees,
         COLLECT { UNWIND devices AS held UNWIND held AS device RETURN device } AS devices,
         COLLECT { UNWIND days AS held UNWIND held AS seen RETURN size(seen) } AS day_counts,
         COLLECT { UNWIND days AS held UNWIND held AS seen UNWIND seen AS day RETURN day }
           AS days
}
RETURN kinds, values, networks, ip_classes, degrees, devices, day_counts, days
