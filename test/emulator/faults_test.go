package emulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestQuotaExceededIsAThrottleTheRetryerRecognizes(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	// Half a call per second: however slow the machine, few of 10 calls pass.
	srv, url := serve(t, w, emulator.WithQuota("kms:ListGrants", 0.5))
	client := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "us-east-1")))
	throttled := 0
	for range 10 {
		_, err := client.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: aws.String(w.Scenario.KeyID)})
		if err == nil {
			continue
		}
		throttled++
		assert.Equal(t, "ThrottlingException", errorCode(err))
		assert.Equal(t, aws.TrueTernary, retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}.IsErrorThrottle(err))
		assert.True(t, retry.NewStandard().IsErrorRetryable(err))
	}
	assert.GreaterOrEqual(t, throttled, 7)
	stats := srv.Stats()[emulator.StatKey{Account: w.ManagementAccount, Region: "us-east-1", Operation: "kms:ListGrants"}]
	assert.Equal(t, emulator.CallStats{Calls: 10, Throttled: int64(throttled)}, stats)
}

func TestQuotasScaleDownAWSDefaults(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	// CloudTrail's LookupEvents allows 2/s, scaled by 0.1 one call per 5 s;
	// KMS ListKeys keeps 50/s.
	_, url := serve(t, w, emulator.WithQuotas(0.1))
	cfg := noRetries(clientConfig(url, w.ManagementAccount, "us-east-1"))
	trail := cloudtrail.NewFromConfig(cfg)
	_, err := trail.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	require.NoError(t, err)
	_, err = trail.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	var throttled *cloudtrailtypes.ThrottlingException
	assert.ErrorAs(t, err, &throttled, "the second call within 5 s exceeds the scaled quota")

	client := kms.NewFromConfig(cfg)
	for range 20 {
		_, err := client.ListKeys(context.Background(), &kms.ListKeysInput{})
		require.NoError(t, err)
	}
}

func TestInternalErrorsAreRetryableAndDeterministic(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	pattern := func() []string {
		_, url := serve(t, w, emulator.WithInternalErrors(0.3))
		client := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "us-east-1")))
		var codes []string
		for range 60 {
			_, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(w.Scenario.KeyID)})
			codes = append(codes, errorCode(err))
			if err != nil {
				var internal *kmstypes.KMSInternalException
				var timeout *kmstypes.DependencyTimeoutException
				assert.True(t, errors.As(err, &internal) || errors.As(err, &timeout), "%v", err)
				assert.True(t, retry.NewStandard().IsErrorRetryable(err))
			}
		}
		return codes
	}
	first, second := pattern(), pattern()
	assert.Equal(t, first, second, "the same seed fails the same calls")
	count := 0
	for _, c := range first {
		if c != "" {
			count++
		}
	}
	assert.InDelta(t, 18, count, 12, "about 30%% of 60 calls fail")
}

func TestDeniedAndVanishingKeys(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	_, url := serve(t, w, emulator.WithDeniedKeyOperations(3, "ListGrants"), emulator.WithVanishingKeys(5))
	rd := w.Region(w.ManagementAccount, "us-east-1")
	client := kms.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region)))
	ctx := context.Background()
	listed, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	require.NoError(t, err)
	require.Len(t, listed.Keys, len(rd.Keys), "vanishing keys are still listed")
	for i, entry := range listed.Keys {
		nth := i + 1
		_, describeErr := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: entry.KeyId})
		_, grantsErr := client.ListGrants(ctx, &kms.ListGrantsInput{KeyId: entry.KeyId})
		_, policyErr := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: entry.KeyId})
		switch {
		case nth%5 == 0:
			var notFound *kmstypes.NotFoundException
			assert.ErrorAs(t, describeErr, &notFound, "key %d vanished", nth)
			assert.ErrorAs(t, grantsErr, &notFound)
		case nth%3 == 0:
			assert.NoError(t, describeErr)
			assert.Equal(t, "AccessDeniedException", errorCode(grantsErr), "key %d refuses ListGrants", nth)
			assert.NoError(t, policyErr, "only the chosen operations are denied")
		default:
			assert.NoError(t, describeErr)
			assert.NoError(t, grantsErr)
		}
	}
}

func TestGrantRevokedBetweenPages(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	_, url := serve(t, w, emulator.WithGrantRevokedBetweenPages())
	ref := w.HotKey
	before := len(w.Region(ref.Account, ref.Region).Key(ref.KeyID).Grants)
	client := kms.NewFromConfig(clientConfig(url, ref.Account, ref.Region))
	var got []kmstypes.GrantListEntry
	p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(ref.KeyID), Limit: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		got = append(got, page.Grants...)
	}
	var after []kmstypes.GrantListEntry
	w.Read(func() { after = w.Region(ref.Account, ref.Region).Key(ref.KeyID).Grants })
	assert.Len(t, after, before-1, "one grant was revoked")
	assert.Equal(t, after, got, "the listing saw every surviving grant once and not the revoked one")

	var newest emulator.TrailEvent
	w.Read(func() { newest = w.Region(ref.Account, ref.Region).Events[0] })
	assert.Equal(t, "RevokeGrant", newest.Record.EventName)
}

func TestAssumeRoleAndOrganizationsCanBeDenied(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	member := w.Config.MemberAccountIDs[0]
	_, url := serve(t, w, emulator.WithAssumeRoleDenied(member), emulator.WithOrganizationsDenied())
	cfg := noRetries(clientConfig(url, w.ManagementAccount, "us-east-1"))
	_, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(memberRoleARN(w, member)), RoleSessionName: aws.String("audit"),
	})
	assert.Equal(t, "AccessDenied", errorCode(err))
	_, err = organizations.NewFromConfig(cfg).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	var denied *orgtypes.AccessDeniedException
	assert.ErrorAs(t, err, &denied)
}

func TestLatencyAndSlowCalls(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	_, url := serve(t, w, emulator.WithLatency(80*time.Millisecond, 20*time.Millisecond))
	client := kms.NewFromConfig(clientConfig(url, w.ManagementAccount, "us-east-1"))
	start := time.Now()
	_, err := client.ListKeys(context.Background(), &kms.ListKeysInput{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)

	_, slowURL := serve(t, w, emulator.WithSlowCalls(1, time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = kms.NewFromConfig(noRetries(clientConfig(slowURL, w.ManagementAccount, "us-east-1"))).ListKeys(ctx, &kms.ListKeysInput{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "the client's timeout, not the emulator, ends the call")
}
