package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// iamXMLNamespace is IAM's awsQuery namespace (API version 2010-05-08).
const iamXMLNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// iamOperations is the part of IAM (awsQuery, XML) the plugin reads.
var iamOperations = map[string]handler{
	"GetAccountAuthorizationDetails": (*Server).iamGetAccountAuthorizationDetails,
}

// The response shapes of GetAccountAuthorizationDetails
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
// lists are <member> elements, documents URL-encoded.
type iamAuthDetailsResult struct {
	XMLName         xml.Name          `xml:"GetAccountAuthorizationDetailsResult"`
	IsTruncated     bool              `xml:"IsTruncated"`
	Marker          string            `xml:"Marker,omitempty"`
	UserDetailList  []iamUserDetail   `xml:"UserDetailList>member"`
	GroupDetailList []iamGroupDetail  `xml:"GroupDetailList>member"`
	RoleDetailList  []iamRoleDetail   `xml:"RoleDetailList>member"`
	Policies        []iamPolicyDetail `xml:"Policies>member"`
}

type iamPolicyDoc struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type iamAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type iamBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type iamUserDetail struct {
	Path                    string         `xml:"Path"`
	UserName                string         `xml:"UserName"`
	UserId                  string         `xml:"UserId"`
	Arn                     string         `xml:"Arn"`
	CreateDate              string         `xml:"CreateDate"`
	UserPolicyList          []iamPolicyDoc `xml:"UserPolicyList>member"`
	GroupList               []string       `xml:"GroupList>member"`
	AttachedManagedPolicies []iamAttached  `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *iamBoundary   `xml:"PermissionsBoundary,omitempty"`
}

type iamGroupDetail struct {
	Path                    string         `xml:"Path"`
	GroupName               string         `xml:"GroupName"`
	GroupId                 string         `xml:"GroupId"`
	Arn                     string         `xml:"Arn"`
	CreateDate              string         `xml:"CreateDate"`
	GroupPolicyList         []iamPolicyDoc `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []iamAttached  `xml:"AttachedManagedPolicies>member"`
}

type iamRoleDetail struct {
	Path                     string         `xml:"Path"`
	RoleName                 string         `xml:"RoleName"`
	RoleId                   string         `xml:"RoleId"`
	Arn                      string         `xml:"Arn"`
	CreateDate               string         `xml:"CreateDate"`
	AssumeRolePolicyDocument string         `xml:"AssumeRolePolicyDocument"`
	RolePolicyList           []iamPolicyDoc `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []iamAttached  `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary      *iamBoundary   `xml:"PermissionsBoundary,omitempty"`
}

type iamPolicyVersion struct {
	Document         string `xml:"Document"`
	VersionId        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type iamPolicyDetail struct {
	PolicyName        string             `xml:"PolicyName"`
	PolicyId          string             `xml:"PolicyId"`
	Arn               string             `xml:"Arn"`
	Path              string             `xml:"Path"`
	DefaultVersionId  string             `xml:"DefaultVersionId"`
	AttachmentCount   int                `xml:"AttachmentCount"`
	IsAttachable      bool               `xml:"IsAttachable"`
	CreateDate        string             `xml:"CreateDate"`
	UpdateDate        string             `xml:"UpdateDate"`
	PolicyVersionList []iamPolicyVersion `xml:"PolicyVersionList>member"`
}

// urlEncodeDocument encodes a policy document the way IAM returns it:
// URL-encoded per RFC 3986 (spaces as %20, never "+").
func urlEncodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// iamEntity is one item of the combined, paginated listing.
type iamEntity struct {
	kind string // User, Group, Role, LocalManagedPolicy, AWSManagedPolicy
	item any
}

// iamGetAccountAuthorizationDetails pages through users, groups, roles and
// managed policies in that order. Filter (Filter.member.N) keeps the named
// entity types; MaxItems is 1..1000 (default 100); Marker continues.
func (s *Server) iamGetAccountAuthorizationDetails(req *request) (any, error) {
	account := req.caller.Account
	if slices.Contains(s.cfg.Faults.IAMDeniedAccounts, account) {
		e := clientError("AccessDenied", "User: %s is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *", req.caller.ARN)
		e.Status = http.StatusForbidden
		return nil, e
	}
	want := map[string]bool{}
	for i := 1; ; i++ {
		f := req.form.Get(fmt.Sprintf("Filter.member.%d", i))
		if f == "" {
			break
		}
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			return nil, iamValidation("filter", f, "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
		}
	}
	limit := 100
	if m := req.form.Get("MaxItems"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 1000 {
			return nil, iamValidation("maxItems", m, "Member must have value between 1 and 1000")
		}
		limit = n
	}
	start := 0
	if m := req.form.Get("Marker"); m != "" {
		n, ok := decodeOffset(&m)
		if !ok {
			return nil, clientError("InvalidInput", "Invalid Marker.")
		}
		start = n
	}
	entities := s.world.iamEntities(account, want)
	if start > len(entities) {
		return nil, clientError("InvalidInput", "Invalid Marker.")
	}
	end, more := pageEnd(len(entities), start, limit)
	out := iamAuthDetailsResult{IsTruncated: more}
	if more {
		out.Marker = *offsetToken(end)
	}
	for _, e := range entities[start:end] {
		switch v := e.item.(type) {
		case iamUserDetail:
			out.UserDetailList = append(out.UserDetailList, v)
		case iamGroupDetail:
			out.GroupDetailList = append(out.GroupDetailList, v)
		case iamRoleDetail:
			out.RoleDetailList = append(out.RoleDetailList, v)
		case iamPolicyDetail:
			out.Policies = append(out.Policies, v)
		}
	}
	return out, nil
}

func iamValidation(member, value, constraint string) *apiError {
	e := validationError(member, value, constraint)
	e.Code = "ValidationError"
	return e
}

// iamEntities renders an account's IAM in listing order, keeping the kinds
// in want (every kind when want is empty).
func (w *World) iamEntities(account string, want map[string]bool) []iamEntity {
	a := w.IAM[account]
	if a == nil {
		return nil
	}
	keep := func(kind string) bool { return len(want) == 0 || want[kind] }
	created := w.Now.AddDate(-1, 0, 0).Format("2006-01-02T15:04:05Z")
	arn := func(kind, name string) string {
		return fmt.Sprintf("arn:%s:iam::%s:%s/%s", w.Partition, account, kind, name)
	}
	inline := func(list []IAMInlinePolicy) []iamPolicyDoc {
		var out []iamPolicyDoc
		for _, p := range list {
			out = append(out, iamPolicyDoc{PolicyName: p.Name, PolicyDocument: urlEncodeDocument(p.Document)})
		}
		return out
	}
	attached := func(arns []string) []iamAttached {
		var out []iamAttached
		for _, a := range arns {
			out = append(out, iamAttached{PolicyName: a[strings.LastIndex(a, "/")+1:], PolicyArn: a})
		}
		return out
	}
	boundary := func(arn string) *iamBoundary {
		if arn == "" {
			return nil
		}
		return &iamBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
	}
	var out []iamEntity
	if keep("User") {
		for _, u := range a.Users {
			out = append(out, iamEntity{"User", iamUserDetail{Path: "/", UserName: u.Name, UserId: uniqueID("AIDA", account, "user/"+u.Name),
				Arn: arn("user", u.Name), CreateDate: created, UserPolicyList: inline(u.Inline), GroupList: u.Groups,
				AttachedManagedPolicies: attached(u.Attached), PermissionsBoundary: boundary(u.Boundary)}})
		}
	}
	if keep("Group") {
		for _, g := range a.Groups {
			out = append(out, iamEntity{"Group", iamGroupDetail{Path: "/", GroupName: g.Name, GroupId: uniqueID("AGPA", account, "group/"+g.Name),
				Arn: arn("group", g.Name), CreateDate: created, GroupPolicyList: inline(g.Inline), AttachedManagedPolicies: attached(g.Attached)}})
		}
	}
	if keep("Role") {
		trust := urlEncodeDocument(renderPolicy(policyDocument{Version: "2012-10-17", Statement: []policyStatement{
			{Effect: "Allow", Principal: awsPrincipal(rootARN(w.Partition, account)), Action: "sts:AssumeRole"}}}))
		for _, r := range a.Roles {
			out = append(out, iamEntity{"Role", iamRoleDetail{Path: "/", RoleName: r.Name, RoleId: uniqueID("AROA", account, "role/"+r.Name),
				Arn: arn("role", r.Name), CreateDate: created, AssumeRolePolicyDocument: trust, RolePolicyList: inline(r.Inline),
				AttachedManagedPolicies: attached(r.Attached), PermissionsBoundary: boundary(r.Boundary)}})
		}
	}
	for _, p := range a.Policies {
		kind := "LocalManagedPolicy"
		if strings.Contains(p.ARN, ":iam::aws:policy/") {
			kind = "AWSManagedPolicy"
		}
		if !keep(kind) {
			continue
		}
		versions := make([]string, 0, len(p.Versions))
		for v := range p.Versions {
			versions = append(versions, v)
		}
		sort.Strings(versions)
		d := iamPolicyDetail{PolicyName: p.Name, PolicyId: uniqueID("ANPA", account, "policy/"+p.Name), Arn: p.ARN, Path: "/",
			DefaultVersionId: p.Default, IsAttachable: true, CreateDate: created, UpdateDate: created}
		for _, v := range versions {
			d.PolicyVersionList = append(d.PolicyVersionList, iamPolicyVersion{Document: urlEncodeDocument(p.Versions[v]), VersionId: v,
				IsDefaultVersion: v == p.Default, CreateDate: created})
		}
		out = append(out, iamEntity{kind, d})
	}
	return out
}
