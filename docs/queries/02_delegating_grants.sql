-- Delegating grants: CreateGrant held by principals that are not AWS services
--
-- What it finds: grants that include the CreateGrant operation and whose
-- grantee is not an AWS service (is_delegating). Service grants that carry
-- CreateGrant, such as the ones EBS and RDS create, are how those services
-- work and are left out.
-- Why it matters: a grantee with CreateGrant can hand its operations on to
-- any principal, in any account, with child grants that the key's
-- administrators never approved (recommendation 1: limit CreateGrant to key
-- administrators and first-level grants).
-- What to do: re-create the grant without CreateGrant unless the grantee
-- must delegate; review the child grants listed by the delegation-chain
-- query and revoke the ones nobody owns.
SELECT account_id,
       region,
       key_arn,
       grant_id,
       grantee_principal,
       grantee_type,
       operations,
       is_cross_account,
       created_by,
       parent_grant_id,
       creation_date
FROM aws_kms_key_grants
WHERE is_delegating
ORDER BY account_id, region, key_arn, grant_id;
