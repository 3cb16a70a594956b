-- Unused keys with live grants
--
-- What it finds: keys with no successful cryptographic use since KMS began
-- tracking them (GetKeyLastUsage: no last use) that still carry grants,
-- with how many and to whom. created_before_tracking says the key is older
-- than its tracking start, so it may have been used before then. Needs the
-- spec's key_last_usage: true.
-- Why it matters: every grant on such a key is a standing permission that
-- nothing exercises; the grantees keep it until someone retires it, and a
-- grant that allows CreateGrant can hand it on.
-- What to do: check CloudTrail for the key's older use where
-- created_before_tracking is true; retire or revoke the grants that
-- nobody needs, then consider disabling the key (and watching for
-- DisabledException in CloudTrail) before scheduling its deletion.
SELECT u.account_id,
       u.region,
       u.key_arn,
       k.key_state,
       u.tracking_start_date,
       k.creation_date < u.tracking_start_date AS created_before_tracking,
       count(g.grant_id) AS live_grants,
       array_agg(DISTINCT COALESCE(g.grantee_principal, g.grantee_service_principal)
                 ORDER BY COALESCE(g.grantee_principal, g.grantee_service_principal)) AS grantees
FROM aws_kms_key_last_usage u
JOIN aws_kms_key_grants g ON g.key_arn = u.key_arn
LEFT JOIN aws_kms_keys k ON k.arn = u.key_arn
WHERE u.last_used_at IS NULL
GROUP BY u.account_id, u.region, u.key_arn, k.key_state, u.tracking_start_date, k.creation_date
ORDER BY u.account_id, u.region, u.key_arn;
