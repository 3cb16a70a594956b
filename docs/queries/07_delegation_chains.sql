-- Grant delegation chains
--
-- What it finds: grants created through another grant's CreateGrant
-- permission, followed from the first grant down to every descendant
-- (parent_grant_id of the aws_kms_grant_lineage view, from the CreateGrant
-- events aws_kms_grant_events has kept). A chain
-- starts at a grant with no known parent, or whose parent no longer
-- exists. depth 0 is that first grant; grant_path lists the grant ids from
-- it to the row's grant, and grantee_path the grantees along the way.
-- Why it matters: each level can hand on the operations it holds, so the
-- key's users are whoever the chain reached, not whoever the key's
-- administrators granted (the deep dive's nested granting: a child grant
-- can keep CreateGrant and delegate again).
-- What to do: for each chain, decide whether its first grant should hold
-- CreateGrant at all; revoke child grants that have no owner. Without a
-- state backend the events, and so the chains, reach back 90 days at most.
WITH RECURSIVE g AS (
    SELECT k.*, l.parent_grant_id
    FROM aws_kms_key_grants k
    JOIN aws_kms_grant_lineage l ON l.key_arn = k.key_arn AND l.grant_id = k.grant_id
),
chain AS (
    SELECT g.account_id,
           g.region,
           g.key_arn,
           g.grant_id AS root_grant_id,
           g.grant_id,
           COALESCE(g.grantee_principal, g.grantee_service_principal) AS grantee,
           g.operations,
           0 AS depth,
           ARRAY[g.grant_id] AS path,
           COALESCE(g.grantee_principal, g.grantee_service_principal, '?') AS grantee_path
    FROM g
    WHERE NOT EXISTS (SELECT 1 FROM g parent
                      WHERE parent.key_arn = g.key_arn AND parent.grant_id = g.parent_grant_id)
      AND EXISTS (SELECT 1 FROM g child
                  WHERE child.key_arn = g.key_arn AND child.parent_grant_id = g.grant_id)
    UNION ALL
    SELECT c.account_id,
           c.region,
           c.key_arn,
           chain.root_grant_id,
           c.grant_id,
           COALESCE(c.grantee_principal, c.grantee_service_principal),
           c.operations,
           chain.depth + 1,
           chain.path || c.grant_id,
           chain.grantee_path || ' > ' || COALESCE(c.grantee_principal, c.grantee_service_principal, '?')
    FROM chain
    JOIN g c ON c.key_arn = chain.key_arn AND c.parent_grant_id = chain.grant_id
    WHERE c.grant_id <> ALL (chain.path)
)
SELECT account_id,
       region,
       key_arn,
       root_grant_id,
       depth,
       grant_id,
       grantee,
       operations,
       array_to_string(path, ' > ') AS grant_path,
       grantee_path
FROM chain
ORDER BY account_id, region, key_arn, root_grant_id, path;
