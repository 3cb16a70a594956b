-- Cross-account grants and grant calls from other accounts
--
-- What it finds: grants whose grantee lives in another account than the
-- key (with outside_organization = true when that account is not in the
-- AWS organization), and CloudTrail grant calls (CreateGrant, RetireGrant,
-- RevokeGrant) on the account's keys made by a caller from another account.
-- CloudTrail records these calls in the key's account even though the
-- caller is elsewhere, and may show the caller's type as AWSAccount.
-- Why it matters: another account's principals can use or manage the key
-- through these grants, outside the reach of this account's IAM policies
-- (recommendation 4: monitor grants for external accounts).
-- What to do: confirm each external account is expected, above all the
-- ones outside the organization; revoke grants nobody can account for and
-- tighten CreateGrant in the key policy if the calls were not expected.
SELECT *
FROM (
    SELECT 'grant' AS kind,
           account_id,
           region,
           key_arn,
           grant_id,
           COALESCE(grantee_principal, grantee_service_principal) AS principal,
           grantee_account_id AS principal_account_id,
           is_cross_organization AS outside_organization,
           operations,
           creation_date AS at,
           NULL::text AS error_code
    FROM aws_kms_key_grants
    WHERE is_cross_account
    UNION ALL
    SELECT 'call: ' || event_name,
           account_id,
           region,
           key_arn,
           grant_id,
           caller_arn,
           caller_account_id,
           NULL::boolean,
           operations,
           event_time,
           error_code
    FROM aws_kms_grant_events
    WHERE is_cross_account_caller
) AS findings
-- Grants first, then calls in time order.
ORDER BY account_id, region, key_arn, kind <> 'grant', at, grant_id, principal;
