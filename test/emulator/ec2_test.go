package emulator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func describeRegions(t *testing.T, cfg aws.Config, in *ec2.DescribeRegionsInput) map[string]string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(context.Background(), in)
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range out.Regions {
		got[aws.ToString(r.RegionName)] = aws.ToString(r.OptInStatus)
	}
	return got
}

// TestDescribeRegionsListsEnabledRegionsOnly: by the EC2 API reference (DescribeRegions), without
// AllRegions only the regions enabled for the account are described; AllRegions adds the others
// as not-opted-in. The default config enables us-east-1 and eu-west-1 everywhere and ap-east-1
// (an opt-in region) in the first member.
func TestDescribeRegionsListsEnabledRegionsOnly(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	member := w.Config.MemberAccountIDs[0]
	got := describeRegions(t, clientConfig(url, member, "us-east-1"), &ec2.DescribeRegionsInput{})
	assert.Equal(t, map[string]string{"us-east-1": "opt-in-not-required", "eu-west-1": "opt-in-not-required", "ap-east-1": "opted-in"}, got)

	got = describeRegions(t, clientConfig(url, w.ManagementAccount, "eu-west-1"), &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	assert.Equal(t, map[string]string{
		"us-east-1": "opt-in-not-required", "eu-west-1": "opt-in-not-required",
		"ap-east-1": "not-opted-in", "af-south-1": "not-opted-in", "me-south-1": "not-opted-in",
	}, got)

	got = describeRegions(t, clientConfig(url, member, "us-east-1"), &ec2.DescribeRegionsInput{
		Filters: []ec2types.Filter{{Name: aws.String("opt-in-status"), Values: []string{"opted-in"}}},
	})
	assert.Equal(t, map[string]string{"ap-east-1": "opted-in"}, got)

	got = describeRegions(t, clientConfig(url, member, "us-east-1"), &ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1"}})
	assert.Equal(t, map[string]string{"eu-west-1": "opt-in-not-required"}, got)
}

// TestDescribeRegionsInDisabledRegionFails: a region the account has not enabled refuses the
// call with AuthFailure (EC2's common client errors).
func TestDescribeRegionsInDisabledRegionFails(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	_, err := ec2.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "af-south-1"))).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	assert.Equal(t, "AuthFailure", errorCode(err))
}

// TestDeniedOperations: the fault answers each service's own access-denied error: EC2's
// UnauthorizedOperation, the Account API's AccessDeniedException.
func TestDeniedOperations(t *testing.T) {
	w, url := startEmulator(t, testConfig(), emulator.WithDeniedOperations("account:ListRegions", "ec2:DescribeRegions"))
	cfg := noRetries(clientConfig(url, w.ManagementAccount, "us-east-1"))
	_, err := ec2.NewFromConfig(cfg).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	assert.Equal(t, "UnauthorizedOperation", errorCode(err))
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	_, err = account.NewFromConfig(cfg).ListRegions(context.Background(), &account.ListRegionsInput{})
	assert.Equal(t, "AccessDeniedException", errorCode(err))
}

// TestDelegatedAdministratorListsTheOrganization: ListAccounts "can be called only from the
// organization's management account or by a member account that is a delegated administrator"
// (Organizations API reference); any other member is denied.
func TestDelegatedAdministratorListsTheOrganization(t *testing.T) {
	cfg := testConfig()
	admin, other := cfg.MemberAccountIDs[0], cfg.MemberAccountIDs[1]
	cfg.DelegatedAdministrators = []string{admin}
	w, url := startEmulator(t, cfg)
	out, err := organizations.NewFromConfig(clientConfig(url, admin, "us-east-1")).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	require.NoError(t, err)
	assert.Len(t, out.Accounts, len(w.Accounts))
	_, err = organizations.NewFromConfig(noRetries(clientConfig(url, other, "us-east-1"))).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	assert.Equal(t, "AccessDeniedException", errorCode(err))
}

// TestSTSRefusesADisabledRegion: STS in an opt-in region the account has not enabled does not
// recognise the token (IAM user guide, "Managing AWS STS in an AWS Region").
func TestSTSRefusesADisabledRegion(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	_, err := sts.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "af-south-1"))).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	assert.Equal(t, "InvalidClientTokenId", errorCode(err))
	out, err := sts.NewFromConfig(clientConfig(url, w.ManagementAccount, "eu-west-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, w.ManagementAccount, aws.ToString(out.Account))
}
