// name: audiences/create_version
// params: id, audience_name, version, definition, digest, description, purpose, target, policy_version, sensitive_policy_version, actor, at
// returns: audience
// A new draft version of an audience; fails on the Audience.id constraint if it exists.
CREATE (a:Audience {id: $id, name: $audience_name, version: $version, status: 'draft',
                    definition: $definition, digest: $digest, description: $description,
                    purpose: $purpose, target: $target, policy_version: $policy_version,
                    sensitive_policy_version: $sensitive_policy_version,
                    created_by: $actor, created_at: $at})
RETURN a {.*} AS audience
