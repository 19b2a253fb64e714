// name: audiences/write_members
// params: id, rows, run_id
// returns: written
// Stored members of one version: rows {member, level, persons, confidence, explanation}
// where explanation is the JSON of the member's Explanation.
MATCH (a:Audience {id: $id})
UNWIND $rows AS row
CREATE (a)-[:HAS_MEMBER]->(:AudienceMember {audience: $id, member: row.member,
                                            level: row.level, persons: row.persons,
                                            confidence: row.confidence,
                                            explanation: row.explanation, run_id: $run_id})
RETURN count(*) AS written
