-- Foreign keys our accounts can use
--
-- What it finds: keys owned by other accounts that AWS RAM shares with
-- our accounts (KMS ListKeys with ResourceOwners=OTHER_ACCOUNTS_VIA_RAM),
-- owners outside the organization first.
-- Why it matters: data our workloads encrypt under a foreign key is only
-- as available as the owner lets it be: the owner can disable or delete
-- the key, change the share, or read the key's CloudTrail use. A key
-- shared from outside the organization is outside every control the
-- organization has.
-- What to do: for each foreign key, find who in the receiving account uses
-- it (CloudTrail in that account, or the receiving account's IAM
-- policies), confirm the dependency on its owner is intended, and prefer
-- keys owned inside the organization for data the organization must keep.
SELECT account_id,
       region,
       key_arn,
       owner_account_id,
       owner_in_organization
FROM aws_kms_keys_shared_with_us
ORDER BY owner_in_organization NULLS FIRST, account_id, region, key_arn;
