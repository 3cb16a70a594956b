package analysis

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// encode URL-encodes a document as GetAccountAuthorizationDetails returns
// it ("the policy document ... is URL-encoded compliant with RFC 3986",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
func encode(doc string) *string {
	return aws.String(strings.ReplaceAll(url.QueryEscape(doc), "+", "%20"))
}

// The shapes of the API reference's example response
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
// a user in a group, a role with an attached managed policy of two
// versions, and a permissions boundary.
func TestKMSPrincipals(t *testing.T) {
	const (
		kmsUse   = `{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`
		s3Only   = `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`
		notIAM   = `{"Sid":"AllButIAM","Effect":"Allow","NotAction":"iam:*","Resource":"*"}`
		denyKMS  = `{"Sid":"NoDelete","Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}`
		boundary = `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`
	)
	doc := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	d := AuthorizationDetails{
		Users: []iamtypes.UserDetail{
			{Arn: aws.String("arn:aws:iam::111111111111:user/Bob"), UserName: aws.String("Bob"), GroupList: []string{"Admins"},
				UserPolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("Storage"), PolicyDocument: encode(doc(s3Only))}}},
			{Arn: aws.String("arn:aws:iam::111111111111:user/NoKMS"), UserName: aws.String("NoKMS"),
				UserPolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("Storage"), PolicyDocument: encode(doc(s3Only))}}},
		},
		Groups: []iamtypes.GroupDetail{
			{Arn: aws.String("arn:aws:iam::111111111111:group/Admins"), GroupName: aws.String("Admins"),
				GroupPolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("KMSUse"), PolicyDocument: encode(doc(kmsUse, s3Only))}}},
		},
		Roles: []iamtypes.RoleDetail{
			{Arn: aws.String("arn:aws:iam::111111111111:role/Ops"),
				AttachedManagedPolicies: []iamtypes.AttachedPolicy{{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/Ops")}},
				RolePolicyList:          []iamtypes.PolicyDetail{{PolicyName: aws.String("Guard"), PolicyDocument: encode(doc(denyKMS))}},
				PermissionsBoundary:     &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::111111111111:policy/Boundary")}},
		},
		Policies: []iamtypes.ManagedPolicyDetail{
			{Arn: aws.String("arn:aws:iam::111111111111:policy/Ops"), PolicyVersionList: []iamtypes.PolicyVersion{
				{VersionId: aws.String("v1"), IsDefaultVersion: false, Document: encode(doc(kmsUse))},
				{VersionId: aws.String("v2"), IsDefaultVersion: true, Document: encode(doc(notIAM))},
			}},
			{Arn: aws.String("arn:aws:iam::111111111111:policy/Boundary"), PolicyVersionList: []iamtypes.PolicyVersion{
				{VersionId: aws.String("v1"), IsDefaultVersion: true, Document: encode(doc(boundary, s3Only))},
			}},
		},
	}
	got, err := KMSPrincipals(d)
	if err != nil {
		t.Fatal(err)
	}
	want := []KMSPrincipal{
		{ARN: "arn:aws:iam::111111111111:role/Ops", Type: "role", PermissionsBoundaryARN: aws.String("arn:aws:iam::111111111111:policy/Boundary"),
			Statements: []KMSStatement{
				{Source: "arn:aws:iam::111111111111:role/Ops/inline/Guard", Statement: json.RawMessage(denyKMS)},
				{Source: "arn:aws:iam::111111111111:policy/Ops", Statement: json.RawMessage(notIAM)},
			},
			BoundaryStatements: []KMSStatement{{Source: "arn:aws:iam::111111111111:policy/Boundary", Statement: json.RawMessage(boundary)}},
		},
		{ARN: "arn:aws:iam::111111111111:user/Bob", Type: "user",
			Statements: []KMSStatement{{Source: "arn:aws:iam::111111111111:group/Admins/inline/KMSUse", ViaGroup: "arn:aws:iam::111111111111:group/Admins", Statement: json.RawMessage(kmsUse)}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("got  %s\nwant %s", g, w)
	}

	// A broken document loses only itself, and the error names it.
	d.Groups[0].GroupPolicyList[0].PolicyDocument = aws.String("%7Bnot json")
	got, err = KMSPrincipals(d)
	if err == nil || !strings.Contains(err.Error(), "arn:aws:iam::111111111111:group/Admins/inline/KMSUse") {
		t.Errorf("error = %v, want one naming the group policy", err)
	}
	if len(got) != 1 || got[0].ARN != "arn:aws:iam::111111111111:role/Ops" {
		t.Errorf("after a broken document: %+v", got)
	}
}

func TestSourcedStatementsRoundTrip(t *testing.T) {
	in := []KMSStatement{{Source: "p", Statement: json.RawMessage(`{"Sid":"A","Effect":"Deny","Action":"kms:*","Resource":"*"}`)}}
	out, err := SourcedStatements(in)
	if err != nil || len(out) != 1 || out[0].Statement.Sid != "A" || out[0].Statement.Effect != EffectDeny || out[0].Source != "p" {
		t.Fatalf("SourcedStatements = %+v, %v", out, err)
	}
	if _, err := SourcedStatements([]KMSStatement{{Source: "bad", Statement: json.RawMessage(`{"Effect":"Maybe","Action":"kms:*"}`)}}); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("bad statement error = %v", err)
	}
}
