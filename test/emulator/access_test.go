package emulator_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func accessConfig() emulator.Config {
	cfg := testConfig()
	cfg.AccessScenario = true
	return cfg
}

// GetAccountAuthorizationDetails pages users, groups, roles and managed
// policies (API reference: IsTruncated/Marker, MaxItems), documents
// URL-encoded per RFC 3986.
func TestIAMAuthorizationDetails(t *testing.T) {
	w, endpoint := startEmulator(t, accessConfig())
	f := w.Access
	require.NotNil(t, f)
	client := iam.NewFromConfig(clientConfig(endpoint, f.KeyAccount, "us-east-1"))
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	var users []iamtypes.UserDetail
	var groups []iamtypes.GroupDetail
	var roles []iamtypes.RoleDetail
	var policies []iamtypes.ManagedPolicyDetail
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		pages++
		users = append(users, page.UserDetailList...)
		groups = append(groups, page.GroupDetailList...)
		roles = append(roles, page.RoleDetailList...)
		policies = append(policies, page.Policies...)
	}
	// 1 user + 1 group + 5 roles + 2 policies, two per page.
	assert.Equal(t, 5, pages)
	require.Len(t, users, 1)
	assert.Equal(t, f.AuditorUserARN, aws.ToString(users[0].Arn))
	assert.Equal(t, []string{"Auditors"}, users[0].GroupList)
	require.NotNil(t, users[0].PermissionsBoundary)
	assert.Equal(t, "arn:aws:iam::"+f.KeyAccount+":policy/DescribeOnlyBoundary", aws.ToString(users[0].PermissionsBoundary.PermissionsBoundaryArn))
	require.Len(t, groups, 1)
	require.Len(t, groups[0].GroupPolicyList, 1)
	encoded := aws.ToString(groups[0].GroupPolicyList[0].PolicyDocument)
	assert.True(t, strings.HasPrefix(encoded, "%7B"), "documents are URL-encoded: %s", encoded)
	assert.NotContains(t, encoded, "+")
	doc, err := url.PathUnescape(encoded)
	require.NoError(t, err)
	assert.Contains(t, doc, `"kms:Describe*"`)
	var names []string
	for _, r := range roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	assert.Equal(t, []string{"KeyAdmin", "AppRole", "IAMOnly", "Analyst", "Delegator"}, names)
	assert.Equal(t, "arn:aws:iam::"+f.KeyAccount+":policy/KMSDecryptMainKey", aws.ToString(roles[3].AttachedManagedPolicies[0].PolicyArn))
	require.Len(t, policies, 2)
	assert.Equal(t, "v2", aws.ToString(policies[0].DefaultVersionId))
	require.Len(t, policies[0].PolicyVersionList, 2)
	assert.False(t, policies[0].PolicyVersionList[0].IsDefaultVersion)
	assert.True(t, policies[0].PolicyVersionList[1].IsDefaultVersion)

	// Filter keeps the named entity types.
	only, err := client.GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeGroup}})
	require.NoError(t, err)
	assert.Len(t, only.GroupDetailList, 1)
	assert.Empty(t, only.RoleDetailList)
	assert.False(t, only.IsTruncated)
}

func TestIAMCanBeDeniedPerAccount(t *testing.T) {
	w, endpoint := startEmulator(t, accessConfig(), emulator.WithIAMDenied(accessConfig().MemberAccountIDs[0]))
	_, err := iam.NewFromConfig(noRetries(clientConfig(endpoint, w.Access.KeyAccount, "us-east-1"))).
		GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "AccessDenied", apiErr.ErrorCode())
	_, err = iam.NewFromConfig(noRetries(clientConfig(endpoint, w.Access.OtherAccount, "us-east-1"))).
		GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{})
	assert.NoError(t, err, "another account is not denied")
}

// ListParents, ListPoliciesForTarget and DescribePolicy walk from an account
// to the root; FullAWSAccess is on every target, the scenario's Deny SCP on
// the other account and its RCP on the root.
func TestOrganizationPolicies(t *testing.T) {
	w, endpoint := startEmulator(t, accessConfig())
	f := w.Access
	ctx := context.Background()
	client := organizations.NewFromConfig(clientConfig(endpoint, w.ManagementAccount, "us-east-1"))
	parents, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(f.OtherAccount)})
	require.NoError(t, err)
	require.Len(t, parents.Parents, 1)
	assert.Equal(t, orgtypes.ParentTypeOrganizationalUnit, parents.Parents[0].Type)

	ids := func(target string, t2 orgtypes.PolicyType) []string {
		out, err := client.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: t2})
		require.NoError(t, err)
		var got []string
		for _, p := range out.Policies {
			got = append(got, aws.ToString(p.Id))
		}
		return got
	}
	root := aws.ToString(w.Roots[0].Id)
	assert.Equal(t, []string{"p-FullAWSAccess", "p-denykmsdecrypt"}, ids(f.OtherAccount, orgtypes.PolicyTypeServiceControlPolicy))
	assert.Equal(t, []string{"p-FullAWSAccess"}, ids(f.KeyAccount, orgtypes.PolicyTypeServiceControlPolicy))
	assert.Equal(t, []string{"p-RCPFullAWSAccess", "p-kmsperimeter"}, ids(root, orgtypes.PolicyTypeResourceControlPolicy))

	policy, err := client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-denykmsdecrypt")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`, aws.ToString(policy.Policy.Content))
	assert.False(t, policy.Policy.PolicySummary.AwsManaged)

	_, err = client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-nosuchpolicy")})
	var notFound *orgtypes.PolicyNotFoundException
	assert.ErrorAs(t, err, &notFound)

	member := organizations.NewFromConfig(noRetries(clientConfig(endpoint, f.KeyAccount, "us-east-1")))
	_, err = member.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(f.KeyAccount)})
	var denied *orgtypes.AccessDeniedException
	assert.ErrorAs(t, err, &denied, "only the management account reads the tree")
}

// Without the access scenario only SCPs are enabled: asking for RCPs is
// PolicyTypeNotEnabledException.
func TestOrganizationPoliciesRCPNotEnabled(t *testing.T) {
	w, endpoint := startEmulator(t, testConfig())
	client := organizations.NewFromConfig(noRetries(clientConfig(endpoint, w.ManagementAccount, "us-east-1")))
	_, err := client.ListPoliciesForTarget(context.Background(), &organizations.ListPoliciesForTargetInput{
		TargetId: w.Roots[0].Id, Filter: orgtypes.PolicyTypeResourceControlPolicy})
	var notEnabled *orgtypes.PolicyTypeNotEnabledException
	assert.ErrorAs(t, err, &notEnabled)
}
