package analysis

import (
	"testing"
)

// The AWS_RAM key policy of a key shared with two accounts, as RAM writes
// it from the share's managed permission (a single Allow naming the
// receiving accounts' roots, ListKeyPolicies: "A KMS key can have at most two
// key policies, default and AWS_RAM",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html).
// Its ReEncrypt* and CreateAlias show the cross-account filter: CreateAlias
// never takes effect across accounts.
const ramPolicyDoc = `{"Version":"2012-10-17","Id":"AWS_RAM","Statement":[{"Sid":"RAMManagedPermission","Effect":"Allow",
 "Principal":{"AWS":["arn:aws:iam::444455556666:root","123456789012"]},
 "Action":["kms:Decrypt","kms:Encrypt","kms:DescribeKey","kms:CreateAlias"],"Resource":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}`

const (
	shareInside  = "arn:aws:ram:us-east-2:111122223333:resource-share/inside"
	shareOutside = "arn:aws:ram:us-east-2:111122223333:resource-share/outside"
	shareDeleted = "arn:aws:ram:us-east-2:111122223333:resource-share/deleted"
	shareOU      = "arn:aws:ram:us-east-2:111122223333:resource-share/ou"
)

func sharedKey(t *testing.T, statements ...string) AccessKey {
	k := key(t, statements...)
	k.RAMPolicy = mustParse(t, ramPolicyDoc)
	k.Shares = []RAMShare{
		{ARN: shareInside, Status: "ACTIVE", Principals: []RAMSharePrincipal{{ID: acctExternal, Type: "account"}}},
		{ARN: shareOutside, Status: "ACTIVE", Principals: []RAMSharePrincipal{{ID: acctOutside, Type: "account"}}},
		// A deleted share names no row, though it once reached the account.
		{ARN: shareDeleted, Status: "DELETED", Principals: []RAMSharePrincipal{{ID: acctExternal, Type: "account"}}},
	}
	return k
}

// sharedOrg is the organization with an SCP on the external account that
// denies kms:Decrypt.
func sharedOrg(t *testing.T) *Organization {
	o := accessOrg(t)
	full := OrgPolicy{Source: "scp:p-FullAWSAccess", Policy: mustParse(t, fullAWSAccess)}
	denyDecrypt := OrgPolicy{Source: "scp:p-denydecrypt", Policy: mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`)}
	o.SCPs[acctExternal] = []OrgLevel{
		{Target: "r-examplerootid111", Policies: []OrgPolicy{full}},
		{Target: "ou-exampleouid111", Policies: []OrgPolicy{full}},
		{Target: acctExternal, Policies: []OrgPolicy{full, denyDecrypt}},
	}
	return o
}

// A share gives each receiving account's root a ram_share row, sourced by
// the ACTIVE share that reaches it, with the cross-account operations only
// and requires_caller_iam; the inside account's SCP takes Decrypt away; an
// IAM role of the inside account whose identity policy allows kms:* gets a
// ram_share row for the shared operations (its IAM is known), a role of the
// key's account gets nothing through the share.
func TestAccessRAMShare(t *testing.T) {
	in := AccessInput{
		Key: sharedKey(t, enableIAM),
		Org: sharedOrg(t),
		Principals: []IAMPrincipal{
			iamPrincipal(t, "arn:aws:iam::444455556666:role/Consumer", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`),
			iamPrincipal(t, "arn:aws:iam::444455556666:role/NoKMS", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`),
		},
	}
	rows := EvaluateKeyAccess(in)
	checkRows(t, rows, []seen{
		{Principal: "arn:aws:iam::111122223333:root", Path: PathKeyPolicy, Source: "Enable IAM User Permissions", Ops: "kms:CancelKeyDeletion,kms:CreateAlias,kms:CreateGrant,kms:Decapsulate,kms:Decrypt,kms:DeleteAlias,kms:DeleteImportedKeyMaterial,kms:DeriveSharedSecret,kms:DescribeKey,kms:DisableKey,kms:DisableKeyRotation,kms:EnableKey,kms:EnableKeyRotation,kms:Encapsulate,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyPair,kms:GenerateDataKeyPairWithoutPlaintext,kms:GenerateDataKeyWithoutPlaintext,kms:GenerateMac,kms:GetKeyLastUsage,kms:GetKeyPolicy,kms:GetKeyRotationStatus,kms:GetParametersForImport,kms:GetPublicKey,kms:ImportKeyMaterial,kms:ListGrants,kms:ListKeyPolicies,kms:ListKeyRotations,kms:ListResourceTags,kms:PutKeyPolicy,kms:ReEncryptFrom,kms:ReEncryptTo,kms:ReplicateKey,kms:RetireGrant,kms:RevokeGrant,kms:RotateKeyOnDemand,kms:ScheduleKeyDeletion,kms:Sign,kms:SynchronizeMultiRegionKey,kms:TagResource,kms:UntagResource,kms:UpdateAlias,kms:UpdateKeyDescription,kms:UpdatePrimaryRegion,kms:Verify,kms:VerifyMac"},
		{Principal: "arn:aws:iam::123456789012:root", Path: PathRAMShare, Source: shareOutside, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:role/Consumer", Path: PathRAMShare, Source: shareInside, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: "scp:p-denydecrypt#DenyDecrypt"},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathRAMShare, Source: shareInside, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: "scp:p-denydecrypt#DenyDecrypt", RequiresIAM: true},
	})
	byPrincipal := map[string]AccessRow{}
	for _, r := range rows {
		byPrincipal[r.Principal] = r
	}
	out, ins := byPrincipal["arn:aws:iam::123456789012:root"], byPrincipal["arn:aws:iam::444455556666:root"]
	if !out.IsCrossAccount || out.IsOutsideOrganization == nil || !*out.IsOutsideOrganization || !out.AllowsDecrypt {
		t.Errorf("outside row: cross %v outside %v decrypt %v", out.IsCrossAccount, out.IsOutsideOrganization, out.AllowsDecrypt)
	}
	if !ins.IsCrossAccount || ins.IsOutsideOrganization == nil || *ins.IsOutsideOrganization || ins.AllowsDecrypt || !ins.AllowsEncrypt {
		t.Errorf("inside row: cross %v outside %v decrypt %v encrypt %v", ins.IsCrossAccount, ins.IsOutsideOrganization, ins.AllowsDecrypt, ins.AllowsEncrypt)
	}
	if c := byPrincipal["arn:aws:iam::444455556666:role/Consumer"]; c.KeyPolicySource == nil || *c.KeyPolicySource != "AWS_RAM#RAMManagedPermission" || c.RequiresCallerIAM {
		t.Errorf("consumer row: key_policy_source %v requires_caller_iam %v", c.KeyPolicySource, c.RequiresCallerIAM)
	}
}

// "Determining access": an explicit Deny in any key policy wins, so a Deny
// of the default policy cancels the share's row, and one in the AWS_RAM
// policy does too. With no share read, the source is the policy's name.
func TestAccessRAMShareDenied(t *testing.T) {
	denyOutside := `{"Sid":"DenyPartner","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:Decrypt","Resource":"*"}`
	k := sharedKey(t, enableIAM, denyOutside)
	k.Shares = nil
	in := AccessInput{Key: k}
	got := EvaluateKeyAccess(in)[1:]
	checkRows(t, got, []seen{
		{Principal: "arn:aws:iam::123456789012:root", Path: PathRAMShare, Source: "AWS_RAM", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: "key_policy#DenyPartner", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathRAMShare, Source: "AWS_RAM", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", RequiresIAM: true},
	})
	if got[0].AllowsDecrypt || !got[0].AllowsEncrypt || got[0].IsOutsideOrganization != nil {
		t.Errorf("denied row: decrypt %v encrypt %v outside %v", got[0].AllowsDecrypt, got[0].AllowsEncrypt, got[0].IsOutsideOrganization)
	}

	k = sharedKey(t, enableIAM)
	k.RAMPolicy = mustParse(t, `{"Version":"2012-10-17","Statement":[`+ramPolicyDoc[len(`{"Version":"2012-10-17","Id":"AWS_RAM","Statement":[`):len(ramPolicyDoc)-2]+`,
	 {"Sid":"DenyEncrypt","Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}]}`)
	got = EvaluateKeyAccess(AccessInput{Key: k})
	checkRows(t, got[1:], []seen{
		{Principal: "arn:aws:iam::123456789012:root", Path: PathRAMShare, Source: shareOutside, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Encrypt", DeniedBy: "AWS_RAM#DenyEncrypt", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathRAMShare, Source: shareInside, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Encrypt", DeniedBy: "AWS_RAM#DenyEncrypt", RequiresIAM: true},
	})
	// The AWS_RAM Deny binds every path, the key's own root too.
	if got[0].DeniedBy == nil || *got[0].DeniedBy != "AWS_RAM#DenyEncrypt" {
		t.Errorf("root row denied_by = %v, want AWS_RAM#DenyEncrypt", got[0].DeniedBy)
	}
}

// A share to an organization or an OU reaches the member accounts on that
// path (the OU from the account's SCP levels), never an account outside.
func TestAccessRAMShareToOrganization(t *testing.T) {
	k := sharedKey(t, enableIAM)
	k.Shares = []RAMShare{
		{ARN: shareOU, Status: "ACTIVE", Principals: []RAMSharePrincipal{{ID: "arn:aws:organizations::999988887777:ou/o-a1b2c3d4e5/ou-exampleouid111", Type: "organizational_unit"}}},
		{ARN: shareOutside, Status: "ACTIVE", Principals: []RAMSharePrincipal{{ID: "arn:aws:organizations::999988887777:organization/o-a1b2c3d4e5", Type: "organization"}}},
	}
	rows := EvaluateKeyAccess(AccessInput{Key: k, Org: sharedOrg(t)})
	sources := map[string]string{}
	for _, r := range rows[1:] {
		sources[r.Principal] = r.Source
	}
	want := map[string]string{
		"arn:aws:iam::123456789012:root": "AWS_RAM",
		"arn:aws:iam::444455556666:root": shareOU + ", " + shareOutside,
	}
	if len(sources) != len(want) || sources["arn:aws:iam::123456789012:root"] != want["arn:aws:iam::123456789012:root"] || sources["arn:aws:iam::444455556666:root"] != want["arn:aws:iam::444455556666:root"] {
		t.Errorf("sources = %v, want %v", sources, want)
	}
}
