-- Keys usable by "*" with only weak conditions
-- What it finds: key policy statements whose principal is "*" (or a NotPrincipal) and whose
-- conditions, if any, name none of the keys that pin the caller: aws:PrincipalOrgID,
-- aws:PrincipalOrgPaths, aws:PrincipalAccount, kms:CallerAccount, aws:PrincipalArn, aws:userid,
-- aws:SourceAccount, aws:SourceOrgID, aws:SourceArn. kms:ViaService or an encryption context
-- alone do not say who the caller is. (A statement that names a strong key with a negated
-- operator is not listed; read such conditions yourself.)
-- Why it matters: "*" means every AWS principal in every account; without a condition on the
-- caller, anyone who can reach the service that uses the key can use it.
-- What to do: add a condition on the caller (aws:PrincipalOrgID for the organization,
-- kms:CallerAccount for one account), or name the principals instead of "*".
SELECT key_arn,
       source,
       ARRAY(SELECT unnest(operations) EXCEPT SELECT unnest(denied_operations) ORDER BY 1) AS operations,
       conditions
FROM aws_kms_key_access
WHERE principal = '*'
  AND path = 'key_policy'
  AND (conditions IS NULL
       OR conditions::text !~* '(aws:PrincipalOrgID|aws:PrincipalOrgPaths|aws:PrincipalAccount|kms:CallerAccount|aws:PrincipalArn|aws:userid|aws:SourceAccount|aws:SourceOrgID|aws:SourceArn)')
ORDER BY key_arn, source;
