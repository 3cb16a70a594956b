-- aws_kms_grant_lineage: who created each grant of aws_kms_key_grants and, for nested granting,
-- through which parent grant, from the CreateGrant events aws_kms_grant_events has kept (with a
-- state backend the table keeps every event since the first sync, beyond CloudTrail's 90 days).
--
-- created_by       the caller of the grant's first successful CreateGrant event: its ARN, else
--                  its account id (a call from another account is logged with its account
--                  only), else the AWS service that made the call; NULL when no event is kept.
-- creator_identity created_by as the plugin spells identities (caller_identity): a role's
--                  sessions are the role, paths dropped.
-- created_at       that event's time.
-- parent_grant_id  the grant on the same key through which the creator held CreateGrant: the
--                  latest earlier successful CreateGrant event on the key, allowing CreateGrant,
--                  whose grantee_identity is the creator's identity. NULL for grants created
--                  through a key policy or IAM policy, and when the events are not kept.
--
-- Both look-ups are indexed equality joins (kmsaudit creates the indexes below), so a key with
-- 50,000 grants is resolved without a scan per grant.
CREATE INDEX IF NOT EXISTS aws_kms_grant_events_grant_idx
    ON aws_kms_grant_events (key_arn, grant_id, event_time);
CREATE INDEX IF NOT EXISTS aws_kms_grant_events_delegation_idx
    ON aws_kms_grant_events (key_arn, grantee_identity, event_time)
    WHERE event_name = 'CreateGrant' AND error_code IS NULL AND 'CreateGrant' = ANY (operations);

CREATE OR REPLACE VIEW aws_kms_grant_lineage AS
SELECT g.account_id,
       g.region,
       g.key_arn,
       g.grant_id,
       g.grantee_identity,
       c.created_by,
       c.caller_identity AS creator_identity,
       c.event_time AS created_at,
       p.grant_id AS parent_grant_id
FROM aws_kms_key_grants g
LEFT JOIN LATERAL (
    SELECT COALESCE(e.caller_arn, e.caller_account_id, e.invoked_by) AS created_by,
           e.caller_identity,
           e.event_time
    FROM aws_kms_grant_events e
    WHERE e.key_arn = g.key_arn
      AND e.grant_id = g.grant_id
      AND e.event_name = 'CreateGrant'
      AND e.error_code IS NULL
    ORDER BY e.event_time, e.event_id
    LIMIT 1
) c ON true
LEFT JOIN LATERAL (
    SELECT d.grant_id
    FROM aws_kms_grant_events d
    WHERE d.key_arn = g.key_arn
      AND d.grantee_identity = c.caller_identity
      AND d.event_time < c.event_time
      AND d.event_name = 'CreateGrant'
      AND d.error_code IS NULL
      AND 'CreateGrant' = ANY (d.operations)
      AND d.grant_id IS NOT NULL
      AND d.grant_id <> g.grant_id
    ORDER BY d.event_time DESC, d.event_id DESC
    LIMIT 1
) p ON true;
