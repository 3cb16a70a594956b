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
-- query and revoke the ones nobody owns. created_by and parent_grant_id come
-- from the aws_kms_grant_lineage view (CloudTrail's CreateGrant events).
SELECT g.account_id,
       g.region,
       g.key_arn,
       g.grant_id,
       g.grantee_principal,
       g.grantee_type,
       g.operations,
       g.is_cross_account,
       l.created_by,
       l.parent_grant_id,
       g.creation_date
FROM aws_kms_key_grants g
LEFT JOIN aws_kms_grant_lineage l ON l.key_arn = g.key_arn AND l.grant_id = g.grant_id
WHERE g.is_delegating
ORDER BY g.account_id, g.region, g.key_arn, g.grant_id;
