-- Keys shared through AWS RAM outside the organization
--
-- What it finds: each key of ours in an AWS RAM resource share that
-- reaches a principal outside the organization (RAM's own "external" flag
-- on the principal), with the actions the share's permission grants; and
-- shares that allow external principals though none is associated yet.
-- Why it matters: a share is a path to a key that neither the key's
-- default policy nor its grants show: RAM writes it into the key's AWS_RAM
-- policy. Any identity of the receiving account that its own IAM policies
-- allow may then use the key for the actions listed, from outside the
-- organization's SCPs and its control.
-- What to do: confirm each external account should use the key; remove
-- the principal from the share (or the key from it) where not, narrow the
-- share's permission to the actions needed, and turn off "allow external
-- principals" on shares that do not need it.
SELECT s.account_id,
       s.region,
       k.key_arn,
       s.resource_share_arn,
       s.name AS share_name,
       s.status,
       p ->> 'id' AS principal,
       p ->> 'type' AS principal_type,
       s.permission_name,
       s.actions
FROM aws_ram_kms_key_shares s
CROSS JOIN LATERAL unnest(s.key_arns) AS k(key_arn)
LEFT JOIN LATERAL jsonb_array_elements(COALESCE(s.principals, '[]'::jsonb)) AS p
       ON (p ->> 'external')::boolean
WHERE (p ->> 'external')::boolean
   OR (s.allow_external_principals AND p IS NULL)
ORDER BY s.account_id, s.region, k.key_arn, s.resource_share_arn, principal;
