-- Grants on keys that are disabled or pending deletion
--
-- What it finds: grants on keys whose state is Disabled, PendingDeletion
-- or PendingReplicaDeletion, or that are otherwise not enabled.
-- Why it matters: the grantees are the key's users. A key pending deletion
-- takes every ciphertext it protects with it, so its grantees show who
-- will lose data; grants on a disabled key come back to life the moment
-- the key is enabled again.
-- What to do: before the deletion date, ask each grantee whether it still
-- holds data under the key and cancel the deletion if so; revoke grants on
-- disabled keys that should stay off, so that re-enabling the key does not
-- silently restore access.
SELECT g.account_id,
       g.region,
       g.key_arn,
       k.key_state,
       k.deletion_date,
       g.grant_id,
       COALESCE(g.grantee_principal, g.grantee_service_principal) AS grantee,
       g.grantee_type,
       g.operations
FROM aws_kms_key_grants g
JOIN aws_kms_keys k ON k.arn = g.key_arn
WHERE k.key_state IN ('Disabled', 'PendingDeletion', 'PendingReplicaDeletion')
   OR k.enabled IS NOT TRUE
ORDER BY g.account_id, g.region, g.key_arn, g.grant_id;
