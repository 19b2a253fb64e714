// name: segments/interest_scores
// params: persons
// returns: person, interest, score
// The stored interest scores of a block of persons as parallel lists in one row; `person`
// is the position in $persons.
UNWIND range(0, size($persons) - 1) AS k
MATCH (:Person {id: $persons[k]})-[r:INTERESTED_IN]->(i:Interest)
RETURN collect(k) AS person, collect(i.id) AS interest, collect(r.score) AS score
