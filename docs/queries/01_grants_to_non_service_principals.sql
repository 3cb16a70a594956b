-- Grants to principals that are not AWS services
--
-- What it finds: every grant whose grantee principal is neither an AWS
-- service principal (*.amazonaws.com) nor "AWS Internal". This is the
-- inventory query of the CloudQuery deep dive on KMS key grants
-- (recommendation 5); its WHERE clause is kept exactly as published, with
-- readable columns and a stable order added.
-- Why it matters: grants are a third way into a key, next to the key policy
-- and IAM policies, and the console does not show them. Grants to users,
-- roles and accounts are the ones that outlive their purpose.
-- What to do: confirm with each grantee's owner that the grant is still
-- needed; retire or revoke the others, after checking that no production
-- workload still uses them.
SELECT account_id,
       region,
       key_arn,
       grant_id,
       grantee_principal,
       grantee_type,
       operations,
       retiring_principal,
       creation_date
FROM aws_kms_key_grants
WHERE (grantee_principal NOT LIKE '%.amazonaws.com' AND grantee_principal NOT LIKE 'AWS Internal')
ORDER BY account_id, region, key_arn, grant_id;
