package emulator

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// IAMAccount is one account's IAM, as GetAccountAuthorizationDetails
// reports it (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
// Documents are plain JSON here; the wire form URL-encodes them.
type IAMAccount struct {
	Users    []IAMUser
	Groups   []IAMGroup
	Roles    []IAMRole
	Policies []IAMManagedPolicy
}

// IAMInlinePolicy is an inline policy of a user, group or role.
type IAMInlinePolicy struct{ Name, Document string }

type IAMUser struct {
	Name     string
	Groups   []string
	Inline   []IAMInlinePolicy
	Attached []string // managed policy ARNs
	Boundary string   // permissions boundary policy ARN, "" for none
}

type IAMGroup struct {
	Name     string
	Inline   []IAMInlinePolicy
	Attached []string
}

type IAMRole struct {
	Name     string
	Inline   []IAMInlinePolicy
	Attached []string
	Boundary string
}

// IAMManagedPolicy is a managed policy with its versions; Default names the
// default version.
type IAMManagedPolicy struct {
	Name     string
	ARN      string
	Default  string
	Versions map[string]string // version id -> document
}

// OrgPolicy is an SCP or RCP and the roots, OUs and accounts it is
// attached to.
type OrgPolicy struct {
	Summary orgtypes.PolicySummary
	Content string
	Targets []string
}

// AccessFacts names the actors of the access scenario (Config.AccessScenario),
// generated in KeyAccount's first region.
type AccessFacts struct {
	KeyAccount, OtherAccount, Region string
	// MainKeyARN's policy enables IAM, names two roles of OtherAccount,
	// opens Decrypt to "*" within the organization, and lets AppRole create
	// grants through EC2 only.
	MainKeyARN string
	// NoIAMKeyARN's policy does not enable IAM: IAMOnlyRoleARN's kms:* gives
	// it nothing.
	NoIAMKeyARN string

	KeyAdminRoleARN  string // KeyAccount, named in NoIAMKey's policy
	AppRoleARN       string // KeyAccount, named in both key policies
	IAMOnlyRoleARN   string // KeyAccount, kms:* by IAM only
	AnalystRoleARN   string // KeyAccount, kms:Decrypt on MainKey by a managed policy
	AuditorUserARN   string // KeyAccount, kms:Describe* through group Auditors, boundary DescribeKey only
	AuditorsGroupARN string
	DelegatorRoleARN string // KeyAccount, grantee of the parent grant (Decrypt, CreateGrant)

	CrossAllowedRoleARN string // OtherAccount, named by MainKey's policy, allowed by its IAM
	CrossNoIAMRoleARN   string // OtherAccount, named by MainKey's policy, no KMS in its IAM
	OrgReaderRoleARN    string // OtherAccount, kms:Decrypt on * (reaches MainKey through the org wildcard)
	GrantChildRoleARN   string // OtherAccount, grantee of the child grant Delegator made
	OutsiderRoleARN     string // OutsideAccount, grantee of a Decrypt grant

	ParentGrantID, ChildGrantID, OutsiderGrantID string

	// DenyDecryptSCPID is attached to OtherAccount; PerimeterRCPID to the root.
	DenyDecryptSCPID, PerimeterRCPID string
}

const (
	fullAWSAccessID    = "p-FullAWSAccess"
	rcpFullAWSAccessID = "p-RCPFullAWSAccess"
)

// generateOrgPolicies attaches AWS's FullAWSAccess SCP to the root, every OU
// and every account, as AWS does when SCPs are enabled ("Service control
// policies (SCPs)": FullAWSAccess is attached to every root, OU and account
// by default). The access scenario adds RCPs, a Deny SCP and an RCP.
func (w *World) generateOrgPolicies() {
	var targets []string
	for _, r := range w.Roots {
		targets = append(targets, *r.Id)
	}
	for _, ou := range w.OUs {
		targets = append(targets, *ou.Id)
	}
	for _, a := range w.Accounts {
		targets = append(targets, *a.Id)
	}
	allow := renderPolicy(policyDocument{Version: "2012-10-17", Statement: []policyStatement{{Effect: "Allow", Action: "*", Resource: "*"}}})
	w.OrgPolicies = append(w.OrgPolicies, OrgPolicy{
		Summary: orgPolicySummary(w.Partition, fullAWSAccessID, "FullAWSAccess", orgtypes.PolicyTypeServiceControlPolicy, true),
		Content: allow, Targets: targets,
	})
}

func orgPolicySummary(partition, id, name string, t orgtypes.PolicyType, awsManaged bool) orgtypes.PolicySummary {
	kind := "service_control_policy"
	if t == orgtypes.PolicyTypeResourceControlPolicy {
		kind = "resource_control_policy"
	}
	return orgtypes.PolicySummary{
		Id: aws.String(id), Name: aws.String(name), Type: t, AwsManaged: awsManaged,
		Arn:         aws.String(fmt.Sprintf("arn:%s:organizations::aws:policy/%s/%s", partition, kind, id)),
		Description: aws.String(name),
	}
}

// accessScenarioAccounts are the key's account (the first ACTIVE member) and
// another ACTIVE member; empty when the organization has fewer.
func (w *World) accessScenarioAccounts() (string, string) {
	var members []string
	for _, id := range w.activeAccounts() {
		if id != w.ManagementAccount {
			members = append(members, id)
		}
	}
	if len(members) < 2 {
		return "", ""
	}
	return members[0], members[1]
}

// generateAccessScenario creates the scenario's two keys and grants in the
// key account's first region; generateAccessWorld adds IAM and policies.
func (g *regionGen) generateAccessScenario() {
	w := g.w
	p, k := g.partition, g.account
	_, other := w.accessScenarioAccounts()
	f := &AccessFacts{KeyAccount: k, OtherAccount: other, Region: g.region}
	role := func(account, name string) string { return fmt.Sprintf("arn:%s:iam::%s:role/%s", p, account, name) }
	f.KeyAdminRoleARN, f.AppRoleARN = role(k, "KeyAdmin"), role(k, "AppRole")
	f.IAMOnlyRoleARN, f.AnalystRoleARN, f.DelegatorRoleARN = role(k, "IAMOnly"), role(k, "Analyst"), role(k, "Delegator")
	f.AuditorUserARN = fmt.Sprintf("arn:%s:iam::%s:user/alice", p, k)
	f.AuditorsGroupARN = fmt.Sprintf("arn:%s:iam::%s:group/Auditors", p, k)
	f.CrossAllowedRoleARN, f.CrossNoIAMRoleARN = role(other, "CrossAllowed"), role(other, "CrossNoIAM")
	f.OrgReaderRoleARN, f.GrantChildRoleARN = role(other, "OrgReader"), role(other, "GrantChild")
	f.OutsiderRoleARN = role(w.OutsideAccount, "Outsider")

	created := w.Now.AddDate(0, 0, -40)
	noIAM := g.addKey(keySpec{
		Kind: "access-no-iam", Alias: "alias/access-no-iam", Description: "Key policy without the IAM statement",
		Usage: kmstypes.KeyUsageTypeEncryptDecrypt, Spec: kmstypes.KeySpecSymmetricDefault, Created: created,
		Policy: renderPolicy(policyDocument{Version: "2012-10-17", ID: "access-no-iam", Statement: []policyStatement{
			{Sid: "KeyAdministrators", Effect: "Allow", Principal: awsPrincipal(f.KeyAdminRoleARN), Resource: "*",
				Action: []string{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"}},
			{Sid: "KeyUsers", Effect: "Allow", Principal: awsPrincipal(f.AppRoleARN), Resource: "*",
				Action: []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}},
		}}),
	})
	f.NoIAMKeyARN = noIAM.ARN()

	orgID := aws.ToString(w.Organization.Id)
	main := g.addKey(keySpec{
		Kind: "access-main", Alias: "alias/access-main", Description: "Every path to this key",
		Usage: kmstypes.KeyUsageTypeEncryptDecrypt, Spec: kmstypes.KeySpecSymmetricDefault, Created: created,
		Policy: renderPolicy(policyDocument{Version: "2012-10-17", ID: "access-main", Statement: []policyStatement{
			enableIAMStatement(p, k),
			{Sid: "AllowCrossAccountRoles", Effect: "Allow", Principal: awsPrincipal(f.CrossAllowedRoleARN, f.CrossNoIAMRoleARN), Resource: "*",
				Action: []string{"kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"}},
			{Sid: "AllowOrganization", Effect: "Allow", Principal: "*", Resource: "*",
				Action:    []string{"kms:Decrypt", "kms:DescribeKey"},
				Condition: map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}}},
			{Sid: "AllowAttachmentThroughEC2", Effect: "Allow", Principal: awsPrincipal(f.AppRoleARN), Resource: "*",
				Action: []string{"kms:CreateGrant"},
				Condition: map[string]any{
					"Bool":         map[string]any{"kms:GrantIsForAWSResource": true},
					"StringEquals": map[string]any{"kms:ViaService": "ec2." + g.region + ".amazonaws.com"},
				}},
		}}),
	})
	f.MainKeyARN = main.ARN()

	admin := assumedRoleActor(p, k, "KeyAdmin", "setup")
	parent := g.addGrant(main, grantSpec{Grantee: f.DelegatorRoleARN, Creator: admin,
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationCreateGrant}})
	child := g.addGrant(main, grantSpec{Grantee: f.GrantChildRoleARN, Creator: assumedRoleActor(p, k, "Delegator", "delegate"),
		Ops:         []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextEquals: map[string]string{"Project": "Atlas"}}})
	outsider := g.addGrant(main, grantSpec{Grantee: f.OutsiderRoleARN, Creator: admin,
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
	f.ParentGrantID, f.ChildGrantID, f.OutsiderGrantID = *parent.GrantId, *child.GrantId, *outsider.GrantId
	w.Access = f
}

// generateAccessWorld gives every ACTIVE account an IAM (empty but for the
// access scenario's accounts) and, with the scenario, its SCP and RCPs.
func (w *World) generateAccessWorld() {
	w.IAM = map[string]*IAMAccount{}
	for _, id := range w.activeAccounts() {
		w.IAM[id] = &IAMAccount{}
	}
	w.generateOrgPolicies()
	f := w.Access
	if f == nil {
		return
	}
	p := w.Partition
	doc := func(statements ...policyStatement) string {
		return renderPolicy(policyDocument{Version: "2012-10-17", Statement: statements})
	}
	allow := func(resource any, actions ...string) policyStatement {
		return policyStatement{Effect: "Allow", Action: actions, Resource: resource}
	}
	key := w.IAM[f.KeyAccount]
	policyARN := func(account, name string) string { return fmt.Sprintf("arn:%s:iam::%s:policy/%s", p, account, name) }
	key.Policies = []IAMManagedPolicy{
		{Name: "KMSDecryptMainKey", ARN: policyARN(f.KeyAccount, "KMSDecryptMainKey"), Default: "v2", Versions: map[string]string{
			"v1": doc(allow("*", "kms:*")), // an old version: not in force
			"v2": doc(allow(f.MainKeyARN, "kms:Decrypt")),
		}},
		{Name: "DescribeOnlyBoundary", ARN: policyARN(f.KeyAccount, "DescribeOnlyBoundary"), Default: "v1", Versions: map[string]string{
			"v1": doc(allow("*", "kms:DescribeKey", "s3:GetObject")),
		}},
	}
	key.Groups = []IAMGroup{{Name: "Auditors", Inline: []IAMInlinePolicy{{Name: "KMSRead", Document: doc(allow("*", "kms:Describe*", "kms:List*", "kms:Get*"))}}}}
	key.Users = []IAMUser{{Name: "alice", Groups: []string{"Auditors"}, Boundary: policyARN(f.KeyAccount, "DescribeOnlyBoundary")}}
	key.Roles = []IAMRole{
		{Name: "KeyAdmin"},
		{Name: "AppRole", Inline: []IAMInlinePolicy{{Name: "Storage", Document: doc(allow("*", "s3:*"))}}},
		{Name: "IAMOnly", Inline: []IAMInlinePolicy{{Name: "AllKMS", Document: doc(allow("*", "kms:*"))}}},
		{Name: "Analyst", Attached: []string{policyARN(f.KeyAccount, "KMSDecryptMainKey")}},
		{Name: "Delegator"},
	}
	other := w.IAM[f.OtherAccount]
	other.Roles = []IAMRole{
		{Name: "CrossAllowed", Inline: []IAMInlinePolicy{{Name: "UseKeyAccountKeys", Document: doc(allow(fmt.Sprintf("arn:%s:kms:*:%s:key/*", p, f.KeyAccount), "kms:Decrypt", "kms:Encrypt"))}}},
		{Name: "CrossNoIAM", Inline: []IAMInlinePolicy{{Name: "Storage", Document: doc(allow("*", "s3:GetObject"))}}},
		{Name: "OrgReader", Inline: []IAMInlinePolicy{{Name: "Decrypt", Document: doc(allow("*", "kms:Decrypt"))}}},
		{Name: "GrantChild"},
	}

	// RCPs enabled: RCPFullAWSAccess on every target, as AWS attaches it
	// ("Resource control policies (RCPs)"), and the KMS guide's
	// RCPEnforceIdentityPerimeter on the root.
	for i := range w.Roots {
		w.Roots[i].PolicyTypes = append(w.Roots[i].PolicyTypes, orgtypes.PolicyTypeSummary{Type: orgtypes.PolicyTypeResourceControlPolicy, Status: orgtypes.PolicyTypeStatusEnabled})
	}
	w.OrgPolicies = append(w.OrgPolicies, OrgPolicy{
		Summary: orgPolicySummary(p, rcpFullAWSAccessID, "RCPFullAWSAccess", orgtypes.PolicyTypeResourceControlPolicy, true),
		Content: doc(policyStatement{Effect: "Allow", Principal: "*", Action: "*", Resource: "*"}),
		Targets: w.OrgPolicies[0].Targets,
	})
	f.DenyDecryptSCPID, f.PerimeterRCPID = "p-denykmsdecrypt", "p-kmsperimeter"
	orgID := aws.ToString(w.Organization.Id)
	custom := func(id, name string, t orgtypes.PolicyType, content, target string) {
		s := orgPolicySummary(p, id, name, t, false)
		s.Arn = aws.String(fmt.Sprintf("arn:%s:organizations::%s:policy/%s/%s/%s", p, w.ManagementAccount, orgID, map[bool]string{true: "service_control_policy", false: "resource_control_policy"}[t == orgtypes.PolicyTypeServiceControlPolicy], id))
		w.OrgPolicies = append(w.OrgPolicies, OrgPolicy{Summary: s, Content: content, Targets: []string{target}})
	}
	custom(f.DenyDecryptSCPID, "DenyKMSDecrypt", orgtypes.PolicyTypeServiceControlPolicy,
		doc(policyStatement{Sid: "DenyDecrypt", Effect: "Deny", Action: "kms:Decrypt", Resource: "*"}), f.OtherAccount)
	custom(f.PerimeterRCPID, "KMSIdentityPerimeter", orgtypes.PolicyTypeResourceControlPolicy,
		doc(policyStatement{Sid: "RCPEnforceIdentityPerimeter", Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*",
			Condition: map[string]any{
				"StringNotEqualsIfExists": map[string]any{"aws:PrincipalOrgID": orgID},
				"Bool":                    map[string]any{"aws:PrincipalIsAWSService": "false"},
			}}), *w.Roots[0].Id)
}

// policiesFor lists the policies of type t attached to target, in
// generation order.
func (w *World) policiesFor(target string, t orgtypes.PolicyType) []orgtypes.PolicySummary {
	var out []orgtypes.PolicySummary
	for _, p := range w.OrgPolicies {
		if p.Summary.Type != t {
			continue
		}
		for _, tg := range p.Targets {
			if tg == target {
				out = append(out, p.Summary)
			}
		}
	}
	return out
}

// policyTypeEnabled reports whether the root has policy type t enabled.
func (w *World) policyTypeEnabled(t orgtypes.PolicyType) bool {
	for _, pt := range w.Roots[0].PolicyTypes {
		if pt.Type == t && pt.Status == orgtypes.PolicyTypeStatusEnabled {
			return true
		}
	}
	return false
}
