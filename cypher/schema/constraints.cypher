// name: schema/constraints
// params: none
// returns: nothing
// Uniqueness constraints and indexes for the whole data model, applied idempotently
// by `proteus db init` and `proteus db up`. See docs/data-model.md.
CREATE CONSTRAINT device_id IF NOT EXISTS FOR (n:Device) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT identifier_kind_value IF NOT EXISTS FOR (n:Identifier) REQUIRE (n.kind, n.value) IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT household_id IF NOT EXISTS FOR (n:Household) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT content_id IF NOT EXISTS FOR (n:Content) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT interest_id IF NOT EXISTS FOR (n:Interest) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT segment_id IF NOT EXISTS FOR (n:Segment) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT audience_id IF NOT EXISTS FOR (n:Audience) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT ingest_batch_id IF NOT EXISTS FOR (n:IngestBatch) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT ingest_group_id IF NOT EXISTS FOR (n:IngestGroup) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT purpose_name IF NOT EXISTS FOR (n:Purpose) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.hash IS UNIQUE;
CREATE INDEX identifier_kind IF NOT EXISTS FOR (n:Identifier) ON (n.kind);
CREATE INDEX content_popularity_rank IF NOT EXISTS FOR (n:Content) ON (n.popularity_rank);
CREATE INDEX audit_event_key IF NOT EXISTS FOR (n:AuditEvent) ON (n.key_id);
CREATE INDEX interest_taxonomy IF NOT EXISTS FOR (n:Interest) ON (n.taxonomy);
CREATE INDEX run_stage IF NOT EXISTS FOR (n:Run) ON (n.stage);
CREATE INDEX audience_name IF NOT EXISTS FOR (n:Audience) ON (n.name);
CREATE INDEX audience_member IF NOT EXISTS FOR (n:AudienceMember) ON (n.audience, n.member);
CREATE INDEX audit_event_audience IF NOT EXISTS FOR (n:AuditEvent) ON (n.audience);
CREATE INDEX ingest_batch_sha256 IF NOT EXISTS FOR (n:IngestBatch) ON (n.sha256)
