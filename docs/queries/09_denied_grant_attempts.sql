-- Denied grant attempts
--
-- What it finds: CloudTrail grant calls (CreateGrant, RetireGrant,
-- RevokeGrant) on the account's keys that were refused with AccessDenied,
-- newest first. A refused CreateGrant is often a grantee trying to hand on
-- more operations than its own grant holds, which KMS does not allow.
-- Why it matters: denied calls show who is trying to widen or manage
-- access to a key, including principals in other accounts, and show
-- delegation attempts the key policy did not anticipate (recommendation 4).
-- What to do: identify each caller; if the attempt was not expected,
-- review the grants and policies that gave it a foothold on the key
-- (start with the delegating grants query).
SELECT event_time,
       account_id,
       region,
       key_arn,
       event_name,
       caller_arn,
       caller_type,
       caller_account_id,
       is_cross_account_caller,
       grantee_principal,
       operations,
       error_code,
       error_message
FROM aws_kms_grant_events
WHERE error_code IN ('AccessDenied', 'AccessDeniedException')
ORDER BY event_time DESC, event_id;
