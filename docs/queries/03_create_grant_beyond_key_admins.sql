-- Key policies that let principals other than key administrators create grants
--
-- What it finds: principals that a key policy statement allows to call
-- kms:CreateGrant (directly, through wildcards such as kms:* or
-- kms:Create*, or through a NotAction that leaves CreateGrant in) although
-- they are neither the key account's root nor a key administrator (a
-- principal the same policy allows kms:PutKeyPolicy). Statements that
-- require kms:GrantIsForAWSResource are left out (those principals can only
-- create grants for AWS services), and so are AWS managed keys, whose
-- policies AWS owns. An Allow with NotPrincipal shows as "*".
-- Why it matters: permission to create grants is permission to give the
-- key away, much like kms:PutKeyPolicy (recommendation 2: limit delegation
-- to key administrators and services). iam_policies_enabled says whether
-- IAM policies in the account can hand out CreateGrant too.
-- What to do: remove kms:CreateGrant from these statements, or add the
-- condition {"Bool": {"kms:GrantIsForAWSResource": true}} when the
-- principal only needs to attach the key to AWS resources.
SELECT s.account_id,
       s.region,
       s.key_arn,
       s.policy_name,
       s.statement_index,
       s.sid,
       principal,
       p.allows_iam_policies AS iam_policies_enabled,
       s.conditions
FROM aws_kms_key_policy_statements s
JOIN aws_kms_key_policies p
  ON p.account_id = s.account_id AND p.region = s.region
 AND p.key_arn = s.key_arn AND p.name = s.policy_name
LEFT JOIN aws_kms_keys k ON k.arn = s.key_arn
CROSS JOIN LATERAL unnest(CASE WHEN s.not_principals IS NOT NULL THEN ARRAY['*']
                               ELSE s.principal_list END) AS principal
WHERE s.allows_create_grant
  AND s.create_grant_requires_aws_resource IS NOT TRUE
  AND k.key_manager IS DISTINCT FROM 'AWS'
  AND principal <> s.account_id
  AND principal NOT LIKE 'arn:%:iam::' || s.account_id || ':root'
  AND principal <> ALL (COALESCE(p.allows_put_key_policy_principals, '{}'))
ORDER BY s.account_id, s.region, s.key_arn, s.policy_name, s.statement_index, principal;
