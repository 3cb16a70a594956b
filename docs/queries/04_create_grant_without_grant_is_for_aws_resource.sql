-- Key policy statements that allow CreateGrant without kms:GrantIsForAWSResource
--
-- What it finds: Allow statements in key policies that cover
-- kms:CreateGrant and do not carry the condition
-- {"Bool": {"kms:GrantIsForAWSResource": true}} (BoolIfExists does not
-- count: it lets requests without the key through). AWS managed keys are
-- left out: their policies are AWS's and cannot be changed.
-- Why it matters: with the condition, the principal can only create grants
-- through an AWS service that attaches the key to a resource (an EBS
-- volume, an RDS instance); without it, the principal can grant the key to
-- anyone (recommendation 3: limit grant delegation to AWS services usage).
-- What to do: add the condition to each statement listed, or split the
-- statement so that only key administrators keep an unconditioned
-- kms:CreateGrant.
SELECT s.account_id,
       s.region,
       s.key_arn,
       s.policy_name,
       s.statement_index,
       s.sid,
       CASE WHEN s.not_principals IS NOT NULL THEN ARRAY['*'] ELSE s.principal_list END AS principals,
       s.actions,
       s.not_actions,
       s.conditions
FROM aws_kms_key_policy_statements s
LEFT JOIN aws_kms_keys k ON k.arn = s.key_arn
WHERE s.allows_create_grant
  AND s.create_grant_requires_aws_resource IS NOT TRUE
  AND k.key_manager IS DISTINCT FROM 'AWS'
ORDER BY s.account_id, s.region, s.key_arn, s.policy_name, s.statement_index;
