// name: interests/person_watch
// params: person
// returns: days, day_seconds
// All viewing of one person (the denominator of its interest scores).
MATCH (:Person {id: $person})<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->(:Content)
RETURN w.days AS days, w.day_seconds AS day_seconds
