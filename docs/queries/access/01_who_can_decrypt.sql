-- Who can decrypt with each key, through every path
-- What it finds: every key policy statement, identity (IAM) policy and grant that gives a
-- principal kms:Decrypt on a key, one row per path, from aws_kms_key_access (which kmsaudit
-- computes from the synced tables before the queries run). can_decrypt says whether the path
-- works on its own: "yes"; "conditional" (its conditions depend on the request); "needs the
-- caller's IAM policy" (a key policy naming another account: look for that account's
-- iam_policy rows); or "denied" (an explicit Deny in the key policy, an identity policy, an SCP
-- or an RCP takes Decrypt away: denied_by names it).
-- Why it matters: the question security teams bring is "who can decrypt with this key, and
-- through what?" Key policies, IAM policies and grants each answer part of it; only together do
-- they answer it.
-- What to do: to look at one key, wrap the query: SELECT * FROM (...) q WHERE key_arn = '...'.
-- Remove paths nobody needs: the statement, the policy or the grant named in source.
SELECT key_arn,
       principal,
       path,
       source,
       key_policy_source,
       CASE
           WHEN 'kms:Decrypt' = ANY (denied_operations) THEN 'denied'
           WHEN requires_caller_iam THEN 'needs the caller''s IAM policy'
           WHEN is_conditional THEN 'conditional'
           ELSE 'yes'
       END AS can_decrypt,
       denied_by,
       conditions
FROM aws_kms_key_access
WHERE 'kms:Decrypt' = ANY (operations)
ORDER BY key_arn, principal, path, source;
