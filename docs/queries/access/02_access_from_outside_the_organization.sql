-- Principals outside the organization with any path to a key
-- What it finds: access rows whose principal is in an account outside the organization, or is
-- "*" with no condition that keeps callers inside it, with the operations left after every
-- explicit Deny.
-- Why it matters: access from outside the organization is what data perimeters (RCPs,
-- aws:PrincipalOrgID conditions) exist to stop; a grant to an outside role or a key policy naming
-- another company's account survives every SCP.
-- What to do: confirm each outside principal is a known partner; otherwise remove the statement or
-- revoke the grant, and consider an RCP that denies principals outside the organization.
SELECT key_arn,
       principal,
       principal_account_id,
       path,
       source,
       ARRAY(SELECT unnest(operations) EXCEPT SELECT unnest(denied_operations) ORDER BY 1) AS operations,
       requires_caller_iam,
       is_conditional,
       conditions
FROM aws_kms_key_access
WHERE is_outside_organization
  AND cardinality(ARRAY(SELECT unnest(operations) EXCEPT SELECT unnest(denied_operations))) > 0
ORDER BY key_arn, principal, path, source;
