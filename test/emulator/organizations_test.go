package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListAccountsPaginatesActiveAndSuspended(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := organizations.NewFromConfig(clientConfig(url, w.ManagementAccount, "us-east-1"))
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	var got []orgtypes.Account
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		got = append(got, page.Accounts...)
	}
	assert.Equal(t, w.Accounts, got)
	states := map[orgtypes.AccountState]int{}
	for _, a := range got {
		states[a.State]++
		assert.Equal(t, string(a.State), string(a.Status), "State and Status agree for %s", *a.Id)
	}
	assert.Positive(t, states[orgtypes.AccountStateActive])
	assert.Positive(t, states[orgtypes.AccountStateSuspended])
}

func TestOrganizationTreeHasNestedOUs(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	client := organizations.NewFromConfig(clientConfig(url, w.ManagementAccount, "us-east-1"))
	roots, err := client.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	require.Len(t, roots.Roots, 1)

	// Walk the tree with ListChildren and collect every account once.
	var accounts []string
	depth := map[string]int{*roots.Roots[0].Id: 0}
	maxDepth := 0
	queue := []string{*roots.Roots[0].Id}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, childType := range []orgtypes.ChildType{orgtypes.ChildTypeOrganizationalUnit, orgtypes.ChildTypeAccount} {
			p := organizations.NewListChildrenPaginator(client, &organizations.ListChildrenInput{ParentId: aws.String(parent), ChildType: childType, MaxResults: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				require.NoError(t, err)
				for _, c := range page.Children {
					if c.Type == orgtypes.ChildTypeAccount {
						accounts = append(accounts, *c.Id)
						continue
					}
					depth[*c.Id] = depth[parent] + 1
					maxDepth = max(maxDepth, depth[*c.Id])
					queue = append(queue, *c.Id)
				}
			}
		}
	}
	assert.ElementsMatch(t, w.OrgAccountIDs(), accounts)
	assert.GreaterOrEqual(t, len(depth)-1, 2, "at least two OUs")
	assert.Equal(t, 2, maxDepth, "one OU is nested in another")

	for _, ou := range w.OUs {
		ous, err := client.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(ou.ParentID)})
		require.NoError(t, err)
		assert.Contains(t, ous.OrganizationalUnits, ou.OrganizationalUnit)
		inOU, err := client.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.Id})
		require.NoError(t, err)
		for _, a := range inOU.Accounts {
			assert.Equal(t, *ou.Id, w.Parents[*a.Id])
		}
	}
}

func TestOrganizationsListingIsForTheManagementAccountOnly(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := organizations.NewFromConfig(noRetries(clientConfig(url, w.Config.MemberAccountIDs[0], "us-east-1")))
	_, err := client.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	var denied *orgtypes.AccessDeniedException
	require.ErrorAs(t, err, &denied)

	org, err := client.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	require.NoError(t, err, "members may describe their organization")
	assert.Equal(t, w.ManagementAccount, aws.ToString(org.Organization.MasterAccountId))
}

func TestUnknownParentIsParentNotFound(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := organizations.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "us-east-1")))
	_, err := client.ListAccountsForParent(context.Background(), &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-none-00000000")})
	var notFound *orgtypes.ParentNotFoundException
	assert.ErrorAs(t, err, &notFound)
}
