-- Paths that bypass the key administrators
-- What it finds: identity (IAM) policy and grant paths to a key for principals its key policy
-- never names (AWS services and "AWS Internal" left out), with the operations left after every
-- explicit Deny.
-- Why it matters: whoever edits the key policy believes they decide who uses the key; IAM
-- policies (where the key policy enables them) and grants give access that never shows in it,
-- the gap the deep dive warns about.
-- What to do: decide whether the key should enable IAM policies at all (the "Enable IAM User
-- Permissions" statement); revoke grants nobody asked the key administrators for, and limit
-- kms:CreateGrant to them.
SELECT a.key_arn,
       a.principal,
       a.path,
       a.source,
       ARRAY(SELECT unnest(a.operations) EXCEPT SELECT unnest(a.denied_operations) ORDER BY 1) AS operations,
       a.is_conditional
FROM aws_kms_key_access a
WHERE a.path IN ('iam_policy', 'grant')
  AND a.principal NOT LIKE '%.amazonaws.com'
  AND a.principal NOT LIKE '%.amazonaws.com.cn'
  AND a.principal <> 'AWS Internal'
  AND cardinality(ARRAY(SELECT unnest(a.operations) EXCEPT SELECT unnest(a.denied_operations))) > 0
  AND NOT EXISTS (
      SELECT 1
      FROM aws_kms_key_policy_statements s
      WHERE s.key_arn = a.key_arn
        AND s.effect = 'Allow'
        AND a.principal = ANY (s.principal_list))
ORDER BY a.key_arn, a.principal, a.path, a.source;
