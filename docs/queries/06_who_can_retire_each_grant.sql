-- Who can retire each grant
--
-- What it finds: for every grant, each principal that can retire it
-- without any policy permission: the retiring principal named in the
-- grant, the grantee when the grant includes the RetireGrant operation, and
-- the account that issued the grant. (RevokeGrant is different: it is an
-- ordinary permission given by key and IAM policies.)
-- Why it matters: retiring deletes the grant and every permission it
-- gives, so a retiring principal in another account, or a grantee that can
-- retire its own grant, can break workloads that rely on it; and a grant
-- nobody can retire can only be revoked by a key administrator.
-- What to do: check that each retiring principal is the service or team
-- that owns the grant's lifecycle; before retiring or revoking a grant,
-- make sure production no longer uses it (recommendation 6).
SELECT account_id,
       region,
       key_arn,
       grant_id,
       COALESCE(grantee_principal, grantee_service_principal) AS grantee,
       retirer,
       how
FROM (
    SELECT account_id, region, key_arn, grant_id, grantee_principal, grantee_service_principal,
           retiring_principal AS retirer, 'retiring principal' AS how
    FROM aws_kms_key_grants WHERE retiring_principal IS NOT NULL
    UNION ALL
    SELECT account_id, region, key_arn, grant_id, grantee_principal, grantee_service_principal,
           retiring_service_principal, 'retiring service principal'
    FROM aws_kms_key_grants WHERE retiring_service_principal IS NOT NULL
    UNION ALL
    SELECT account_id, region, key_arn, grant_id, grantee_principal, grantee_service_principal,
           COALESCE(grantee_principal, grantee_service_principal), 'grantee (RetireGrant operation)'
    FROM aws_kms_key_grants WHERE allows_retire_grant
    UNION ALL
    SELECT account_id, region, key_arn, grant_id, grantee_principal, grantee_service_principal,
           issuing_account, 'issuing account'
    FROM aws_kms_key_grants WHERE issuing_account IS NOT NULL
) AS retirers
ORDER BY account_id, region, key_arn, grant_id, how, retirer;
