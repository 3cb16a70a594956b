package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// KMSStatement is one identity-policy statement that can reach a KMS key
// action, as written (compacted), and the policy it came from. The json
// tags are the keys of the statements columns of aws_iam_kms_principals.
type KMSStatement struct {
	// Source is the policy: a managed policy ARN, or
	// "<user, group or role ARN>/inline/<policy name>".
	Source string `json:"source"`
	// ViaGroup is the group a user inherits the statement from; "" when the
	// policy is the user's or role's own.
	ViaGroup  string          `json:"via_group,omitempty"`
	Statement json.RawMessage `json:"statement"`
}

// KMSPrincipal is an IAM user or role with its statements that can reach
// KMS key actions. The json tags are the columns of aws_iam_kms_principals.
type KMSPrincipal struct {
	ARN  string `json:"arn"`
	Type string `json:"principal_type"` // "user" or "role"
	// PermissionsBoundaryARN is the boundary policy; nil without one.
	PermissionsBoundaryARN *string `json:"permissions_boundary_arn"`
	// Statements are those of its inline and attached policies and, for a
	// user, of its groups' policies.
	Statements []KMSStatement `json:"statements"`
	// BoundaryStatements are the boundary's statements that reach KMS; nil
	// without a boundary, empty when the boundary allows no KMS action.
	BoundaryStatements []KMSStatement `json:"boundary_statements"`
}

// AuthorizationDetails are the four lists of
// iam:GetAccountAuthorizationDetails
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html),
// gathered over every page.
type AuthorizationDetails struct {
	Users    []iamtypes.UserDetail
	Groups   []iamtypes.GroupDetail
	Roles    []iamtypes.RoleDetail
	Policies []iamtypes.ManagedPolicyDetail
}

// KMSPrincipals lists the users and roles with at least one identity
// statement that can reach a KMS key action (Allow or Deny), sorted by ARN.
// Policy documents come URL-encoded (RFC 3986), as the API reference says.
// A document that cannot be read is left out and reported in the returned
// error (errors.Join, one per document, naming it); the rest is kept.
func KMSPrincipals(d AuthorizationDetails) ([]KMSPrincipal, error) {
	var problems []error
	statementsOf := func(source, viaGroup, encoded string) []KMSStatement {
		out, err := kmsStatementsOfEncoded(source, viaGroup, encoded)
		if err != nil {
			problems = append(problems, err)
		}
		return out
	}
	managed := map[string][]KMSStatement{}
	for _, p := range d.Policies {
		arn := deref(p.Arn)
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion {
				managed[arn] = statementsOf(arn, "", deref(v.Document))
			}
		}
	}
	attached := func(list []iamtypes.AttachedPolicy, viaGroup string) []KMSStatement {
		var out []KMSStatement
		for _, a := range list {
			for _, s := range managed[deref(a.PolicyArn)] {
				s.ViaGroup = viaGroup
				out = append(out, s)
			}
		}
		return out
	}
	inline := func(owner string, list []iamtypes.PolicyDetail, viaGroup string) []KMSStatement {
		var out []KMSStatement
		for _, p := range list {
			out = append(out, statementsOf(owner+"/inline/"+deref(p.PolicyName), viaGroup, deref(p.PolicyDocument))...)
		}
		return out
	}
	groups := map[string][]KMSStatement{}
	for _, g := range d.Groups {
		arn := deref(g.Arn)
		groups[deref(g.GroupName)] = append(inline(arn, g.GroupPolicyList, arn), attached(g.AttachedManagedPolicies, arn)...)
	}
	boundary := func(b *iamtypes.AttachedPermissionsBoundary) (*string, []KMSStatement) {
		if b == nil || deref(b.PermissionsBoundaryArn) == "" {
			return nil, nil
		}
		arn := deref(b.PermissionsBoundaryArn)
		return &arn, append([]KMSStatement{}, managed[arn]...)
	}

	var out []KMSPrincipal
	add := func(p KMSPrincipal) {
		if len(p.Statements) > 0 {
			out = append(out, p)
		}
	}
	for _, u := range d.Users {
		arn := deref(u.Arn)
		p := KMSPrincipal{ARN: arn, Type: "user"}
		p.Statements = append(inline(arn, u.UserPolicyList, ""), attached(u.AttachedManagedPolicies, "")...)
		for _, g := range u.GroupList {
			p.Statements = append(p.Statements, groups[g]...)
		}
		p.PermissionsBoundaryARN, p.BoundaryStatements = boundary(u.PermissionsBoundary)
		add(p)
	}
	for _, r := range d.Roles {
		arn := deref(r.Arn)
		p := KMSPrincipal{ARN: arn, Type: "role"}
		p.Statements = append(inline(arn, r.RolePolicyList, ""), attached(r.AttachedManagedPolicies, "")...)
		p.PermissionsBoundaryARN, p.BoundaryStatements = boundary(r.PermissionsBoundary)
		add(p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out, errors.Join(problems...)
}

func kmsStatementsOfEncoded(source, viaGroup, encoded string) ([]KMSStatement, error) {
	doc, err := url.PathUnescape(encoded)
	if err != nil {
		return nil, fmt.Errorf("policy %s: the document is not URL-encoded: %w", source, err)
	}
	raws, err := KMSStatements(doc)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", source, err)
	}
	out := make([]KMSStatement, 0, len(raws))
	for _, r := range raws {
		out = append(out, KMSStatement{Source: source, ViaGroup: viaGroup, Statement: r})
	}
	return out, nil
}

// KMSStatements returns the statements of a policy document whose Action
// or NotAction covers at least one KMS key action, compacted, in document
// order.
func KMSStatements(doc string) ([]json.RawMessage, error) {
	p, err := ParsePolicy(doc)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, err
	}
	objects := []json.RawMessage{top["Statement"]}
	if firstByte(top["Statement"]) == '[' {
		objects = nil
		if err := json.Unmarshal(top["Statement"], &objects); err != nil {
			return nil, err
		}
	}
	var out []json.RawMessage
	for i := range p.Statements {
		if statementOps(&p.Statements[i]) != 0 {
			out = append(out, compact(objects[i]))
		}
	}
	return out, nil
}

// SourcedStatements parses stored KMSStatements back into statements for
// EvaluateKeyAccess. A statement that does not parse is an error naming its
// source.
func SourcedStatements(list []KMSStatement) ([]SourcedStatement, error) {
	out := make([]SourcedStatement, 0, len(list))
	for i, s := range list {
		p, err := ParsePolicy(`{"Statement":` + string(s.Statement) + `}`)
		if err != nil {
			return nil, fmt.Errorf("statement %d of %s: %w", i, s.Source, err)
		}
		st := p.Statements[0]
		st.Index = i
		out = append(out, SourcedStatement{Source: s.Source, Statement: st})
	}
	return out, nil
}
