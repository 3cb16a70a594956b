-- Grants on keys unused for 90 days, and on keys used in the last day
--
-- What it finds: live grants on keys with no recorded cryptographic use
-- in the last 90 days (KMS's GetKeyLastUsage: last use before that, or
-- none since a tracking start at least 90 days back), labelled "candidate
-- to retire", and grants on keys used in the last 24 hours, labelled
-- "retire with care". Needs the spec's key_last_usage: true; edit the two
-- intervals for another window.
-- Why it matters: a grant on a key nothing uses is access nobody needs,
-- left for whoever holds the grantee's identity; a grant on a key in use
-- may be what that use runs on, and retiring it breaks production.
-- What to do: retire or revoke the candidates after checking CloudTrail
-- for the grantee's use (AWS: do not rely on last use alone); for the
-- keys in use, find which grantee made the last call (its CloudTrail
-- event id) before touching any of their grants.
SELECT CASE WHEN u.last_used_at >= now() - interval '1 day' THEN 'retire with care: key used in the last day'
            ELSE 'candidate to retire: key unused for 90 days' END AS verdict,
       g.account_id,
       g.region,
       g.key_arn,
       u.last_used_at,
       u.operation AS last_operation,
       u.cloudtrail_event_id,
       u.tracking_start_date,
       g.grant_id,
       COALESCE(g.grantee_principal, g.grantee_service_principal) AS grantee,
       g.operations
FROM aws_kms_key_grants g
JOIN aws_kms_key_last_usage u ON u.key_arn = g.key_arn
WHERE u.last_used_at >= now() - interval '1 day'
   OR u.last_used_at < now() - interval '90 days'
   OR (u.last_used_at IS NULL AND u.tracking_start_date <= now() - interval '90 days')
ORDER BY verdict, g.account_id, g.region, g.key_arn, g.grant_id;
