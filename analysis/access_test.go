package analysis

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The accounts and names of AWS's documentation examples.
const (
	acctKey      = "111122223333" // owns the key
	acctExternal = "444455556666" // another account
	acctMgmt     = "999988887777" // the organization's management account
	acctOutside  = "123456789012" // outside the organization
	accessKeyARN = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	orgID        = "o-a1b2c3d4e5"
)

// seen is the part of a row a test states by hand.
type seen struct {
	Principal   string
	Path        AccessPath
	Source      string
	Ops         string // comma-separated, sorted
	Denied      string
	DeniedBy    string
	Possibly    string
	RequiresIAM bool
	Conditional bool
}

func summarise(rows []AccessRow) []seen {
	out := []seen{}
	for _, r := range rows {
		s := seen{
			Principal: r.Principal, Path: r.Path, Source: r.Source,
			Ops: strings.Join(r.Operations, ","), Denied: strings.Join(r.DeniedOperations, ","),
			Possibly: strings.Join(r.PossiblyDeniedBy, ","), RequiresIAM: r.RequiresCallerIAM, Conditional: r.IsConditional,
		}
		if r.DeniedBy != nil {
			s.DeniedBy = *r.DeniedBy
		}
		out = append(out, s)
	}
	return out
}

func checkRows(t *testing.T, got []AccessRow, want []seen) {
	t.Helper()
	if g := summarise(got); !reflect.DeepEqual(g, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", g, want)
	}
}

func iamPrincipal(t *testing.T, arn string, policies ...string) IAMPrincipal {
	t.Helper()
	p := IAMPrincipal{ARN: arn, AccountID: PrincipalAccount(arn)}
	for i, doc := range policies {
		for _, s := range mustParse(t, doc).Statements {
			p.Statements = append(p.Statements, SourcedStatement{Source: arn + "/inline/p" + itoa1(i), Statement: s})
		}
	}
	return p
}

func itoa1(i int) string { return string(rune('0' + i)) }

// usageActions is the "Allow use of the key" action list of the default
// key policy, with its wildcards expanded by hand.
const usageOps = "kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyPair,kms:GenerateDataKeyPairWithoutPlaintext,kms:GenerateDataKeyWithoutPlaintext,kms:ReEncryptFrom,kms:ReEncryptTo"

const usageStatement = `{"Sid":"Allow use of the key","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ExampleUserRole"},
 "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}`

const enableIAM = `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`

const attachmentStatement = `{"Sid":"Allow attachment of persistent resources","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ExampleUserRole"},
 "Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}`

// decryptOnKey is an identity policy allowing kms:Decrypt on the key, as in
// "IAM policy examples" (https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html).
const decryptOnKey = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}`

func key(t *testing.T, statements ...string) AccessKey {
	return AccessKey{ARN: accessKeyARN, AccountID: acctKey, Policy: mustParse(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`)}
}

// "Default key policy"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
// the root statement lets IAM policies in the account give access; key
// users get the usage actions from the key policy itself; the attachment
// statement is conditional on kms:GrantIsForAWSResource.
func TestAccessDefaultKeyPolicy(t *testing.T) {
	in := AccessInput{
		Key: key(t, enableIAM, usageStatement, attachmentStatement),
		Principals: []IAMPrincipal{
			iamPrincipal(t, "arn:aws:iam::111122223333:role/Analyst", decryptOnKey),
			// An identity policy on another key gives nothing on this one.
			iamPrincipal(t, "arn:aws:iam::111122223333:role/Other", strings.Replace(decryptOnKey, "1234abcd", "0987dcba", 1)),
		},
	}
	rows := EvaluateKeyAccess(in)
	checkRows(t, rows, []seen{
		{Principal: "arn:aws:iam::111122223333:role/ExampleUserRole", Path: PathKeyPolicy, Source: "Allow attachment of persistent resources", Ops: "kms:CreateGrant,kms:ListGrants,kms:RevokeGrant", Conditional: true},
		{Principal: "arn:aws:iam::111122223333:role/ExampleUserRole", Path: PathKeyPolicy, Source: "Allow use of the key", Ops: usageOps},
		{Principal: "arn:aws:iam::111122223333:root", Path: PathKeyPolicy, Source: "Enable IAM User Permissions", Ops: strings.Join(kmsKeyActions, ",")},
		{Principal: "arn:aws:iam::111122223333:role/Analyst", Path: PathIAMPolicy, Source: "arn:aws:iam::111122223333:role/Analyst/inline/p0", Ops: "kms:Decrypt"},
	})
	iamRow := rows[3]
	if iamRow.KeyPolicySource == nil || *iamRow.KeyPolicySource != "Enable IAM User Permissions" {
		t.Errorf("key_policy_source = %v, want Enable IAM User Permissions", iamRow.KeyPolicySource)
	}
	if !iamRow.AllowsDecrypt || iamRow.AllowsEncrypt || iamRow.IsCrossAccount || *iamRow.PrincipalAccountID != acctKey {
		t.Errorf("iam row flags: %+v", iamRow)
	}
	wantConditions := `[{"source":"Allow attachment of persistent resources","condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]`
	if string(rows[0].Conditions) != wantConditions {
		t.Errorf("conditions = %s, want %s", rows[0].Conditions, wantConditions)
	}
	if !rows[0].AllowsCreateGrant || !rows[0].AllowsRevokeGrant || rows[0].AllowsDecrypt {
		t.Errorf("attachment row families: %+v", rows[0].AccessFamilies)
	}
}

// "Determining access to AWS KMS keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html):
// "If the key policy doesn't allow IAM policies ... IAM policies that allow
// access to the KMS key are ineffective." A role allowed by IAM gets no row.
func TestAccessIAMNotEnabled(t *testing.T) {
	in := AccessInput{
		Key:        key(t, usageStatement),
		Principals: []IAMPrincipal{iamPrincipal(t, "arn:aws:iam::111122223333:role/Analyst", decryptOnKey)},
	}
	checkRows(t, EvaluateKeyAccess(in), []seen{
		{Principal: "arn:aws:iam::111122223333:role/ExampleUserRole", Path: PathKeyPolicy, Source: "Allow use of the key", Ops: usageOps},
	})
}

// The deep dive's AllowRootAccountAccess: the root statement limited to
// aws:PrincipalType Account gives the root user access but does not
// delegate to IAM.
func TestAccessRootOnlyDoesNotEnableIAM(t *testing.T) {
	rootOnly := `{"Sid":"AllowRootAccountAccess","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"Account"}}}`
	in := AccessInput{
		Key:        key(t, rootOnly),
		Principals: []IAMPrincipal{iamPrincipal(t, "arn:aws:iam::111122223333:role/Analyst", decryptOnKey)},
	}
	checkRows(t, EvaluateKeyAccess(in), []seen{
		{Principal: "arn:aws:iam::111122223333:root", Path: PathKeyPolicy, Source: "AllowRootAccountAccess", Ops: strings.Join(kmsKeyActions, ","), Conditional: true},
	})
}

// "Allowing users in other accounts to use a KMS key"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html):
// the key policy names the external account, an IAM policy in that account
// delegates to its role; neither alone is enough, and only the listed
// cross-account operations take effect (kms:ScheduleKeyDeletion does not).
func TestAccessCrossAccount(t *testing.T) {
	external := `{"Sid":"Allow an external account to use this KMS key","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},
	 "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:ScheduleKeyDeletion"],"Resource":"*"}`
	// The page's IAM policy for the external account.
	externalIAM := `{"Version":"2012-10-17","Statement":{"Sid":"AllowUseOfKeyInAccount111122223333","Effect":"Allow",
	 "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],
	 "Resource":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}`
	everything := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`
	// A role named directly in the key policy, whose own account gives it
	// no KMS permission.
	namedRole := `{"Sid":"NamedExternalRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/Unprivileged"},"Action":"kms:Decrypt","Resource":"*"}`
	in := AccessInput{
		Key: key(t, external, namedRole),
		Principals: []IAMPrincipal{
			iamPrincipal(t, "arn:aws:iam::444455556666:role/ExampleRole", externalIAM),
			iamPrincipal(t, "arn:aws:iam::444455556666:role/Admin", everything),
			iamPrincipal(t, "arn:aws:iam::444455556666:role/Unprivileged"),
			// The key account's own role: the key policy does not enable
			// IAM for 111122223333, so kms:* gives nothing.
			iamPrincipal(t, "arn:aws:iam::111122223333:role/Admin", everything),
		},
	}
	rows := EvaluateKeyAccess(in)
	checkRows(t, rows, []seen{
		{Principal: "arn:aws:iam::444455556666:role/Unprivileged", Path: PathKeyPolicy, Source: "NamedExternalRole", Ops: "kms:Decrypt", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathKeyPolicy, Source: "Allow an external account to use this KMS key", Ops: usageOps, RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:role/Admin", Path: PathIAMPolicy, Source: "arn:aws:iam::444455556666:role/Admin/inline/p0", Ops: usageOps},
		{Principal: "arn:aws:iam::444455556666:role/ExampleRole", Path: PathIAMPolicy, Source: "arn:aws:iam::444455556666:role/ExampleRole/inline/p0", Ops: usageOps},
	})
	for _, r := range rows {
		if !r.IsCrossAccount || *r.PrincipalAccountID != acctExternal {
			t.Errorf("%s %s: cross-account %v account %v", r.Principal, r.Path, r.IsCrossAccount, *r.PrincipalAccountID)
		}
	}
	if got := *rows[2].KeyPolicySource; got != "Allow an external account to use this KMS key" {
		t.Errorf("key_policy_source = %q", got)
	}
}

// accessOrg is an organization with the key's account, the external account and
// the management account, and no policies yet.
func accessOrg(t *testing.T) *Organization {
	t.Helper()
	return &Organization{
		ID: orgID, ManagementAccount: acctMgmt,
		Accounts: map[string]bool{acctKey: true, acctExternal: true, acctMgmt: true},
		SCPs:     map[string][]OrgLevel{},
		RCPs:     map[string][]OrgLevel{},
	}
}

var fullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// "SCP evaluation" and "Example SCPs"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html):
// an SCP Deny on kms:Decrypt binds every principal of a member account
// whatever the path, but never the management account; an OU with an SCP
// that allows only some actions takes the rest away.
func TestAccessSCP(t *testing.T) {
	o := accessOrg(t)
	full := OrgPolicy{Source: "scp:p-FullAWSAccess", Policy: mustParse(t, fullAWSAccess)}
	denyDecrypt := OrgPolicy{Source: "scp:p-denydecrypt", Policy: mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`)}
	onlyEncrypt := OrgPolicy{Source: "scp:p-onlyencrypt", Policy: mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`)}
	o.SCPs[acctKey] = []OrgLevel{
		{Target: "r-examplerootid111", Policies: []OrgPolicy{full}},
		{Target: acctKey, Policies: []OrgPolicy{full, denyDecrypt}},
	}
	o.SCPs[acctMgmt] = o.SCPs[acctKey]
	o.SCPs[acctExternal] = []OrgLevel{
		{Target: "r-examplerootid111", Policies: []OrgPolicy{full}},
		{Target: "ou-exampleouid111", Policies: []OrgPolicy{onlyEncrypt}},
	}
	rootOf := func(a string) string { return "arn:aws:iam::" + a + ":root" }
	both := `{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/App","arn:aws:iam::999988887777:role/App","arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`
	ext := `{"Sid":"External","Effect":"Allow","Principal":{"AWS":"` + rootOf(acctExternal) + `"},"Action":["kms:Decrypt","kms:Encrypt","kms:DescribeKey"],"Resource":"*"}`
	svc := `{"Sid":"Service","Effect":"Allow","Principal":{"Service":"logs.us-east-2.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}`
	in := AccessInput{
		Key: key(t, both, ext, svc),
		Org: o,
		Principals: []IAMPrincipal{
			iamPrincipal(t, "arn:aws:iam::444455556666:role/Reader", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`),
		},
	}
	checkRows(t, EvaluateKeyAccess(in), []seen{
		{Principal: "arn:aws:iam::111122223333:role/App", Path: PathKeyPolicy, Source: "Use", Ops: "kms:Decrypt,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: "scp:p-denydecrypt#DenyDecrypt"},
		// SCPs do not affect service-linked roles.
		{Principal: "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", Path: PathKeyPolicy, Source: "Use", Ops: "kms:Decrypt,kms:Encrypt"},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathKeyPolicy, Source: "External", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:DescribeKey", DeniedBy: "scp:ou-exampleouid111 (no Allow)", RequiresIAM: true},
		// The management account is never limited by SCPs.
		{Principal: "arn:aws:iam::999988887777:role/App", Path: PathKeyPolicy, Source: "Use", Ops: "kms:Decrypt,kms:Encrypt", RequiresIAM: true},
		{Principal: "logs.us-east-2.amazonaws.com", Path: PathKeyPolicy, Source: "Service", Ops: "kms:Decrypt"},
		{Principal: "arn:aws:iam::444455556666:role/Reader", Path: PathIAMPolicy, Source: "arn:aws:iam::444455556666:role/Reader/inline/p0", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:DescribeKey", DeniedBy: "scp:ou-exampleouid111 (no Allow)"},
	})
	rows := EvaluateKeyAccess(in)
	if rows[0].AllowsDecrypt || !rows[0].AllowsEncrypt {
		t.Errorf("denied row families: %+v", rows[0].AccessFamilies)
	}
}

// "Resource control policies in AWS KMS"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html):
// the page's RCPEnforceIdentityPerimeter denies principals outside the
// organization unless they are AWS services; kms:RetireGrant is not
// affected; RCPs do not apply to AWS managed keys.
func TestAccessRCP(t *testing.T) {
	o := accessOrg(t)
	perimeter := OrgPolicy{Source: "rcp:p-perimeter", Policy: mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"RCPEnforceIdentityPerimeter","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
	 "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]}`)}
	o.RCPs[acctKey] = []OrgLevel{{Target: "r-examplerootid111", Policies: []OrgPolicy{perimeter}}}
	policy := `{"Sid":"Partners","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::444455556666:root"]},"Action":["kms:Decrypt","kms:RetireGrant"],"Resource":"*"}`
	anyone := `{"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"kms:DescribeKey","Resource":"*"}`
	svc := `{"Sid":"Service","Effect":"Allow","Principal":{"Service":"logs.us-east-2.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}`
	in := AccessInput{Key: key(t, policy, anyone, svc), Org: o}
	want := []seen{
		{Principal: "*", Path: PathKeyPolicy, Source: "Anyone", Ops: "kms:DescribeKey", Possibly: "rcp:p-perimeter#RCPEnforceIdentityPerimeter"},
		{Principal: "arn:aws:iam::123456789012:root", Path: PathKeyPolicy, Source: "Partners", Ops: "kms:Decrypt,kms:RetireGrant", Denied: "kms:Decrypt", DeniedBy: "rcp:p-perimeter#RCPEnforceIdentityPerimeter", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathKeyPolicy, Source: "Partners", Ops: "kms:Decrypt,kms:RetireGrant", RequiresIAM: true},
		{Principal: "logs.us-east-2.amazonaws.com", Path: PathKeyPolicy, Source: "Service", Ops: "kms:Decrypt"},
	}
	checkRows(t, EvaluateKeyAccess(in), want)

	in.Key.AWSManaged = true
	for i := range want {
		want[i].Denied, want[i].DeniedBy, want[i].Possibly = "", "", ""
	}
	checkRows(t, EvaluateKeyAccess(in), want)
}

// "AWS global condition context keys: aws:PrincipalOrgID"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid)
// and KMS's "Allow access for all principals in an organization": a
// wildcard principal limited to the organization is inside it; an identity
// of another member account reaches the key through its IAM policy, an
// identity outside the organization does not.
func TestAccessWildcardPrincipalOrgID(t *testing.T) {
	orgWide := `{"Sid":"AllowOrg","Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`
	all := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`
	in := AccessInput{
		Key: key(t, orgWide),
		Org: accessOrg(t),
		Principals: []IAMPrincipal{
			iamPrincipal(t, "arn:aws:iam::444455556666:role/Member", all),
			iamPrincipal(t, "arn:aws:iam::123456789012:role/Stranger", all),
		},
	}
	rows := EvaluateKeyAccess(in)
	checkRows(t, rows, []seen{
		{Principal: "*", Path: PathKeyPolicy, Source: "AllowOrg", Ops: "kms:Decrypt,kms:DescribeKey", Conditional: true},
		// The condition holds for a member: shown, but not conditional.
		{Principal: "arn:aws:iam::444455556666:role/Member", Path: PathIAMPolicy, Source: "arn:aws:iam::444455556666:role/Member/inline/p0", Ops: "kms:Decrypt"},
	})
	if rows[0].IsOutsideOrganization == nil || *rows[0].IsOutsideOrganization || !rows[0].IsCrossAccount {
		t.Errorf("wildcard row scope: outside %v cross %v", rows[0].IsOutsideOrganization, rows[0].IsCrossAccount)
	}
	if rows[1].IsOutsideOrganization == nil || *rows[1].IsOutsideOrganization {
		t.Errorf("member row outside = %v", rows[1].IsOutsideOrganization)
	}
	if got := string(rows[1].Conditions); got != `[{"source":"key_policy#AllowOrg","condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]` {
		t.Errorf("member conditions = %s", got)
	}

	// Without the condition the wildcard reaches outside the organization.
	in.Key = key(t, `{"Sid":"Open","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}`)
	rows = EvaluateKeyAccess(in)
	if rows[0].Principal != "*" || rows[0].IsOutsideOrganization == nil || !*rows[0].IsOutsideOrganization || rows[0].IsConditional {
		t.Errorf("open wildcard row: %+v", rows[0])
	}
}

// "Grants in AWS KMS" (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html):
// a grant gives its grantee the operations without any policy; a grantee
// with CreateGrant passes on a subset (the grant chain); encryption context
// constraints are kept as conditions; an explicit Deny in the key policy
// still wins.
func TestAccessGrants(t *testing.T) {
	k := key(t, `{"Sid":"DenyContractor","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/Contractor"},"Action":"kms:Decrypt","Resource":"*"}`)
	k.Grants = []kmstypes.GrantListEntry{
		{GrantId: aws.String("grant-parent"), GranteePrincipal: aws.String("arn:aws:iam::444455556666:role/Delegate"),
			Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationCreateGrant}},
		{GrantId: aws.String("grant-child"), GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/Contractor"),
			Operations:  []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
			Constraints: &kmstypes.GrantConstraints{EncryptionContextEquals: map[string]string{"Department": "IT"}}},
		{GrantId: aws.String("grant-service"), GranteeServicePrincipal: aws.String("rds.us-east-2.amazonaws.com"),
			Operations:  []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt},
			Constraints: &kmstypes.GrantConstraints{SourceArn: aws.String("arn:aws:rds:us-east-2:111122223333:db:example")}},
	}
	rows := EvaluateKeyAccess(AccessInput{Key: k})
	checkRows(t, rows, []seen{
		{Principal: "arn:aws:iam::111122223333:role/Contractor", Path: PathGrant, Source: "grant-child", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: "key_policy#DenyContractor", Conditional: true},
		{Principal: "arn:aws:iam::444455556666:role/Delegate", Path: PathGrant, Source: "grant-parent", Ops: "kms:CreateGrant,kms:Decrypt"},
		{Principal: "rds.us-east-2.amazonaws.com", Path: PathGrant, Source: "grant-service", Ops: "kms:Encrypt", Conditional: true},
	})
	if got, want := string(rows[0].Conditions), `[{"source":"grant#grant-child","condition":{"EncryptionContextEquals":{"Department":"IT"},"EncryptionContextSubset":null,"SourceArn":null}}]`; got != want {
		t.Errorf("grant conditions = %s, want %s", got, want)
	}
	if !rows[1].IsCrossAccount || !rows[1].AllowsCreateGrant || rows[1].RequiresCallerIAM {
		t.Errorf("cross-account grant row: %+v", rows[1])
	}
	if rows[2].PrincipalAccountID != nil || rows[2].IsCrossAccount {
		t.Errorf("service grant row: %+v", rows[2])
	}
}

// "Permissions boundaries for IAM entities"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html):
// the effective permissions are the intersection of the identity policy and
// the boundary; a Deny in an identity policy wins.
func TestAccessBoundaryAndIdentityDeny(t *testing.T) {
	p := iamPrincipal(t, "arn:aws:iam::111122223333:user/Alice",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`)
	p.HasBoundary = true
	for _, s := range mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}}`).Statements {
		p.Boundary = append(p.Boundary, SourcedStatement{Source: "arn:aws:iam::111122223333:policy/Boundary", Statement: s})
	}
	rows := EvaluateKeyAccess(AccessInput{Key: key(t, enableIAM), Principals: []IAMPrincipal{p}})
	checkRows(t, rows[1:], []seen{
		{Principal: "arn:aws:iam::111122223333:user/Alice", Path: PathIAMPolicy, Source: "arn:aws:iam::111122223333:user/Alice/inline/p0", Ops: "kms:Decrypt,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: "arn:aws:iam::111122223333:user/Alice/inline/p0#NoDecrypt"},
	})
}

// "kms:ViaService" (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service):
// the condition depends on the calling service, so it is shown and the row
// is conditional; kms:CallerAccount pins a wildcard to one account.
func TestAccessConditionsShown(t *testing.T) {
	via := `{"Sid":"ViaEBS","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt"],"Resource":"*",
	 "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"ec2.us-east-2.amazonaws.com"}}}`
	rows := EvaluateKeyAccess(AccessInput{Key: key(t, via)})
	checkRows(t, rows, []seen{{Principal: "*", Path: PathKeyPolicy, Source: "ViaEBS", Ops: "kms:Decrypt", Conditional: true}})
	if rows[0].IsCrossAccount {
		t.Error("kms:CallerAccount = the key account: the wildcard is not cross-account")
	}
	var got []map[string]any
	if err := json.Unmarshal(rows[0].Conditions, &got); err != nil || len(got) != 1 {
		t.Fatalf("conditions %s: %v", rows[0].Conditions, err)
	}
}

// A principal written twice in one statement (its account id and its root ARN) is one row; a Sid
// used by two statements gives two rows told apart by the statement's index.
func TestAccessRowsAreUnique(t *testing.T) {
	in := AccessInput{Key: key(t,
		`{"Sid":"Twice","Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::444455556666:root"]},"Action":"kms:Decrypt","Resource":"*"}`,
		`{"Sid":"Twice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Encrypt","Resource":"*"}`)}
	checkRows(t, EvaluateKeyAccess(in), []seen{
		{Principal: "arn:aws:iam::444455556666:root", Path: PathKeyPolicy, Source: "Twice", Ops: "kms:Decrypt", RequiresIAM: true},
		{Principal: "arn:aws:iam::444455556666:root", Path: PathKeyPolicy, Source: "Twice (Statement[1])", Ops: "kms:Encrypt", RequiresIAM: true},
	})
}
