package moto_test

import (
	"sort"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The computed columns of every grant and policy the test creates, written by hand. The rules
// are those of docs/audit-columns.md; the principal kinds are those of the IAM User Guide's
// "AWS JSON policy elements: Principal"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
// the grant operations those of
// https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations, the
// default key policy that of
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html.
//
// grantee_identity is the grantee as the identity it acts as (docs/audit-columns.md): IAM's ARNs
// of roles and users carry the path before the name, "arn:aws:iam::123456789012:role/
// application_abc/component_xyz/S3Access", and a role session is
// "arn:aws:sts::account:assumed-role/role-name/role-session-name"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns);
// names are unique in an account whatever the path, so the identity is the ARN without the path,
// a session's is its role's ARN, and an account root is itself.

// grantFacts is a grant's computed columns: every allows_* flag false but those named. The
// grant's creator and parent are no columns of the table (the aws_kms_grant_lineage view joins
// them from CloudTrail), so nothing here depends on moto lacking LookupEvents.
func grantFacts(base row, allows ...string) row {
	r := row{
		"allows_create_grant": false, "allows_retire_grant": false, "allows_decrypt": false,
		"allows_encrypt": false, "allows_generate_data_key": false, "allows_re_encrypt": false,
		"allows_sign": false, "allows_verify": false, "allows_mac": false, "allows_describe_key": false,
		"allows_derive_shared_secret": false, "allows_get_public_key": false, "allows_encapsulate": false,
		"allows_decapsulate":      false,
		"retiring_principal_type": nil, "encryption_context_equals": nil, "encryption_context_subset": nil,
		"source_arn_constraint": nil, "constraint_type": "none", "is_delegating": false,
	}
	for _, a := range allows {
		r["allows_"+a] = true
	}
	for k, v := range base {
		r[k] = v
	}
	return r
}

// grantToOwnRole: a role of the key's own account may encrypt and decrypt.
func grantToOwnRole(account, name string) grantSpec {
	return grantSpec{
		name: name, grantee: "arn:aws:iam::" + account + ":role/app",
		ops: []kmstypes.GrantOperation{"Decrypt", "Encrypt", "GenerateDataKey"},
		facts: grantFacts(row{
			"grantee_type": "iam_role", "grantee_account_id": account,
			"is_cross_account": false, "is_cross_organization": false,
			"grantee_identity": "arn:aws:iam::" + account + ":role/app",
		}, "decrypt", "encrypt", "generate_data_key"),
	}
}

// grantToMemberRole: a role of another account of the organization may decrypt and pass the
// grant on (CreateGrant): delegation, since the grantee is no AWS service.
func grantToMemberRole(account, member, name string) grantSpec {
	return grantSpec{
		name: name, grantee: "arn:aws:iam::" + member + ":role/consumer", retiring: "arn:aws:iam::" + account + ":root",
		ops:    []kmstypes.GrantOperation{"Decrypt", "CreateGrant", "RetireGrant"},
		equals: map[string]string{"app": "billing"},
		facts: grantFacts(row{
			"grantee_type": "iam_role", "grantee_account_id": member, "retiring_principal_type": "account_root",
			"is_cross_account": true, "is_cross_organization": false, "is_delegating": true,
			"constraint_type": "encryption_context_equals", "encryption_context_equals": map[string]any{"app": "billing"},
			"grantee_identity": "arn:aws:iam::" + member + ":role/consumer",
		}, "decrypt", "create_grant", "retire_grant"),
	}
}

// grantToOutsideUser: an IAM user (with a path) of an account outside the organization; every
// GenerateDataKey* variant is one family, ReEncryptFrom and ReEncryptTo another.
func grantToOutsideUser(name string) grantSpec {
	return grantSpec{
		name: name, grantee: "arn:aws:iam::" + outsideAccount + ":user/division/finance/outsider",
		ops:    []kmstypes.GrantOperation{"GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "DescribeKey"},
		subset: map[string]string{"dept": "finance"},
		facts: grantFacts(row{
			"grantee_type": "iam_user", "grantee_account_id": outsideAccount,
			"is_cross_account": true, "is_cross_organization": true,
			"constraint_type": "encryption_context_subset", "encryption_context_subset": map[string]any{"dept": "finance"},
			"grantee_identity": "arn:aws:iam::" + outsideAccount + ":user/outsider",
		}, "generate_data_key", "re_encrypt", "describe_key"),
	}
}

// grantToAssumedRole: a role session of the key's account, with both kinds of constraint.
func grantToAssumedRole(account, name string) grantSpec {
	return grantSpec{
		name: name, grantee: "arn:aws:sts::" + account + ":assumed-role/ops/alice", retiring: "arn:aws:iam::" + account + ":user/ops-admin",
		ops:    []kmstypes.GrantOperation{"Decrypt"},
		equals: map[string]string{"stage": "prod"},
		subset: map[string]string{"team": "ops"},
		facts: grantFacts(row{
			"grantee_type": "assumed_role", "grantee_account_id": account, "retiring_principal_type": "iam_user",
			"is_cross_account": false, "is_cross_organization": false,
			"constraint_type": "both", "encryption_context_equals": map[string]any{"stage": "prod"},
			"encryption_context_subset": map[string]any{"team": "ops"},
			"grantee_identity":          "arn:aws:iam::" + account + ":role/ops",
		}, "decrypt"),
	}
}

// grantSignToOwnRole: signing operations on an asymmetric signing key, to a role with a path.
func grantSignToOwnRole(account string) grantSpec {
	return grantSpec{
		name: "signer", grantee: "arn:aws:iam::" + account + ":role/crypto/signer",
		ops: []kmstypes.GrantOperation{"Sign", "Verify", "GetPublicKey", "DescribeKey"},
		facts: grantFacts(row{
			"grantee_type": "iam_role", "grantee_account_id": account,
			"is_cross_account": false, "is_cross_organization": false,
			"grantee_identity": "arn:aws:iam::" + account + ":role/signer",
		}, "sign", "verify", "get_public_key", "describe_key"),
	}
}

// grantMacToMemberRole: GenerateMac and VerifyMac are one family, granted to an account root.
func grantMacToMemberRole(account, member string) grantSpec {
	grantee := "arn:aws:iam::" + member + ":root"
	facts := row{"grantee_type": "account_root", "grantee_account_id": member, "is_cross_account": true, "is_cross_organization": false,
		"grantee_identity": grantee}
	if member == account {
		facts["is_cross_account"] = false
	}
	return grantSpec{
		name: "mac", grantee: grantee,
		ops:   []kmstypes.GrantOperation{"GenerateMac", "VerifyMac"},
		facts: grantFacts(facts, "mac"),
	}
}

// policySpec is a key policy the test puts, with its hand-written facts and statements.
type policySpec struct {
	document   string
	facts      row
	statements []row
}

// defaultPolicy is moto's default key policy, which is AWS's (key-policy-default.html: "Allows
// access to the AWS account and enables IAM policies").
func defaultPolicy(account string) *policySpec {
	root := "arn:aws:iam::" + account + ":root"
	return &policySpec{
		facts: row{
			"allows_iam_policies": true, "create_grant_principals": []any{root},
			"create_grant_requires_aws_resource": false, "allows_put_key_policy_principals": []any{root},
			"has_wildcard_principal": false, "has_unconditioned_wildcard_principal": false,
		},
		statements: []row{statement(0, "Enable IAM User Permissions", "Allow", map[string]any{"AWS": root}, []any{root},
			[]any{"kms:*"}, nil, true, false)},
	}
}

func sortedAny(s ...string) []any {
	sort.Strings(s)
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func statement(index int, sid, effect string, principals any, principalList []any, actions []any, conditions any, createGrant bool, requiresAWSResource any) row {
	r := row{
		"statement_index": float64(index), "sid": sid, "effect": effect, "principals": principals,
		"principal_list": principalList, "not_principals": nil, "actions": actions, "not_actions": nil,
		"resources": []any{"*"}, "not_resources": nil, "conditions": conditions,
		"allows_create_grant": createGrant, "create_grant_requires_aws_resource": requiresAWSResource,
	}
	if !createGrant {
		r["create_grant_requires_aws_resource"] = nil
	}
	return r
}

// customPolicy has key administrators (the default policy's "Allow access for Key
// Administrators" statement), a member role that may create grants only for AWS resources
// (kms:GrantIsForAWSResource, https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource),
// a conditioned wildcard principal and a Deny, which the facts do not subtract.
func customPolicy(account, member string) *policySpec {
	admin := "arn:aws:iam::" + account + ":role/KeyAdmin"
	app := "arn:aws:iam::" + member + ":role/app"
	adminActions := []any{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
		"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
		"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"}
	doc := `{
  "Version": "2012-10-17",
  "Id": "referee-custom",
  "Statement": [
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
     "Principal": {"AWS": ["` + admin + `"]},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
                "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
     "Resource": "*"},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
     "Principal": {"AWS": "` + app + `"},
     "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
     "Resource": "*",
     "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    {"Sid": "Organization may describe", "Effect": "Allow", "Principal": "*",
     "Action": "kms:DescribeKey", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-referee"}}},
    {"Sid": "Nobody deletes", "Effect": "Deny", "Principal": {"AWS": "*"},
     "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}
  ]
}`
	return &policySpec{
		document: doc,
		facts: row{
			// Sorted and unique (the column's documented order); the member's id is random.
			"allows_iam_policies": false, "create_grant_principals": sortedAny(admin, app),
			"create_grant_requires_aws_resource": false, "allows_put_key_policy_principals": []any{admin},
			"has_wildcard_principal": true, "has_unconditioned_wildcard_principal": false,
		},
		statements: []row{
			statement(0, "Allow access for Key Administrators", "Allow", map[string]any{"AWS": []any{admin}}, []any{admin}, adminActions, nil, true, false),
			statement(1, "Allow attachment of persistent resources", "Allow", map[string]any{"AWS": app}, []any{app},
				[]any{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
				map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": "true"}}, true, true),
			statement(2, "Organization may describe", "Allow", "*", []any{"*"}, []any{"kms:DescribeKey"},
				map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": "o-referee"}}, false, nil),
			statement(3, "Nobody deletes", "Deny", map[string]any{"AWS": "*"}, []any{"*"}, []any{"kms:ScheduleKeyDeletion"}, nil, false, nil),
		},
	}
}
