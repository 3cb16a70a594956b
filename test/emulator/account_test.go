package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listRegions(t *testing.T, client *account.Client, in *account.ListRegionsInput) map[string]accounttypes.RegionOptStatus {
	t.Helper()
	out := map[string]accounttypes.RegionOptStatus{}
	p := account.NewListRegionsPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, r := range page.Regions {
			out[*r.RegionName] = r.RegionOptStatus
		}
	}
	return out
}

func TestListRegionsReportsEachAccountsOptIns(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	optedIn := w.Config.MemberAccountIDs[0]
	member := listRegions(t, account.NewFromConfig(clientConfig(url, optedIn, "us-east-1")), &account.ListRegionsInput{MaxResults: aws.Int32(2)})
	assert.Equal(t, accounttypes.RegionOptStatusEnabledByDefault, member["us-east-1"])
	assert.Equal(t, accounttypes.RegionOptStatusEnabled, member["ap-east-1"])
	assert.Equal(t, accounttypes.RegionOptStatusDisabled, member["af-south-1"])

	mgmt := account.NewFromConfig(clientConfig(url, w.ManagementAccount, "us-east-1"))
	own := listRegions(t, mgmt, &account.ListRegionsInput{})
	assert.Equal(t, accounttypes.RegionOptStatusDisabled, own["ap-east-1"], "the management account did not opt in")

	asked := listRegions(t, mgmt, &account.ListRegionsInput{AccountId: aws.String(optedIn)})
	assert.Equal(t, member, asked, "the management account may ask about a member")

	enabled := listRegions(t, account.NewFromConfig(clientConfig(url, optedIn, "us-east-1")), &account.ListRegionsInput{
		RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
	})
	var names []string
	for name := range enabled {
		names = append(names, name)
	}
	assert.ElementsMatch(t, w.EnabledRegions[optedIn], names)
}
