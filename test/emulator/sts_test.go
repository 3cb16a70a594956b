package emulator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func memberRoleARN(w *emulator.World, account string) string {
	return "arn:aws:iam::" + account + ":role/" + w.Config.MemberRoleName
}

func TestGetCallerIdentityOfLongTermKey(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	out, err := sts.NewFromConfig(clientConfig(url, w.ManagementAccount, "us-east-1")).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, w.ManagementAccount, aws.ToString(out.Account))
	assert.Equal(t, "arn:aws:iam::"+w.ManagementAccount+":user/"+emulator.EmulatorUserName, aws.ToString(out.Arn))
}

func TestAssumeRoleReachesTheMemberAccount(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	member := w.Config.MemberAccountIDs[1]
	mgmt := clientConfig(url, w.ManagementAccount, "us-east-1")

	// The way a plugin does it: an AssumeRole credentials provider over STS.
	assumed := mgmt
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(mgmt), memberRoleARN(w, member)))
	who, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, member, aws.ToString(who.Account))
	assert.Regexp(t, `^arn:aws:sts::`+member+`:assumed-role/`+w.Config.MemberRoleName+`/`, aws.ToString(who.Arn))

	keys, err := kms.NewFromConfig(assumed).ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	require.NoError(t, err)
	assert.Len(t, keys.Keys, len(w.Region(member, "us-east-1").Keys), "the session sees the member's keys")
}

func TestAssumeRoleRefusals(t *testing.T) {
	cfg := testConfig()
	active, suspended := cfg.MemberAccountIDs[0], cfg.MemberAccountIDs[2]
	cfg.ExternalIDs = map[string]string{active: "expected-external-id"}
	w, url := startEmulator(t, cfg)
	client := sts.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, "us-east-1")))
	cases := map[string]*sts.AssumeRoleInput{
		"suspended account":         {RoleArn: aws.String(memberRoleARN(w, suspended))},
		"wrong external id":         {RoleArn: aws.String(memberRoleARN(w, active)), ExternalId: aws.String("guess")},
		"missing external id":       {RoleArn: aws.String(memberRoleARN(w, active))},
		"unknown role":              {RoleArn: aws.String("arn:aws:iam::" + active + ":role/NoSuchRole")},
		"outside organization":      {RoleArn: aws.String(memberRoleARN(w, w.OutsideAccount))},
		"member role in management": {RoleArn: aws.String(memberRoleARN(w, w.ManagementAccount))},
	}
	for name, in := range cases {
		in.RoleSessionName = aws.String("audit")
		_, err := client.AssumeRole(context.Background(), in)
		var apiErr smithy.APIError
		require.True(t, errors.As(err, &apiErr), name)
		assert.Equal(t, "AccessDenied", apiErr.ErrorCode(), name)
	}
	_, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(memberRoleARN(w, active)), RoleSessionName: aws.String("audit"), ExternalId: aws.String("expected-external-id"),
	})
	assert.NoError(t, err, "the configured external id is accepted")
}

func TestAssumeRoleIntoManagementWithExtraRole(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	member := w.Config.MemberAccountIDs[0]
	out, err := sts.NewFromConfig(clientConfig(url, member, "us-east-1")).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + w.ManagementAccount + ":role/" + w.Config.ExtraRoleNames[0]),
		RoleSessionName: aws.String("audit"),
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+w.ManagementAccount+":assumed-role/"+w.Config.ExtraRoleNames[0]+"/audit", aws.ToString(out.AssumedRoleUser.Arn))
}

func TestUnknownCredentialsAreRejectedLikeAWS(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	cfg := noRetries(clientConfig(url, w.ManagementAccount, "us-east-1"))
	akid, secret := emulator.AccessKeyFor(w.ManagementAccount)
	forged := akid[:len(akid)-1] + "X"
	if forged == akid {
		forged = akid[:len(akid)-1] + "Y"
	}
	for name, creds := range map[string]aws.CredentialsProvider{
		"bad checksum":         credentials.NewStaticCredentialsProvider(forged, secret, ""),
		"malformed":            credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", secret, ""),
		"account not in world": credentials.NewStaticCredentialsProvider(mustAccessKey(w.OutsideAccount), secret, ""),
		"session never issued": credentials.NewStaticCredentialsProvider("ASIA"+w.ManagementAccount+"ZZZZ", secret, "token"),
	} {
		cfg.Credentials = creds
		_, err := kms.NewFromConfig(cfg).ListKeys(context.Background(), &kms.ListKeysInput{})
		var apiErr smithy.APIError
		require.True(t, errors.As(err, &apiErr), name)
		assert.Equal(t, "UnrecognizedClientException", apiErr.ErrorCode(), name)

		_, err = sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		require.True(t, errors.As(err, &apiErr), name)
		assert.Equal(t, "InvalidClientTokenId", apiErr.ErrorCode(), name)
	}
}

func mustAccessKey(account string) string {
	akid, _ := emulator.AccessKeyFor(account)
	return akid
}

func TestRegionNotEnabledForTheAccountIsRejected(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	for _, region := range append([]string{"ap-east-1"}, w.Config.DisabledRegions...) {
		_, err := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, region))).ListKeys(context.Background(), &kms.ListKeysInput{})
		var apiErr smithy.APIError
		require.True(t, errors.As(err, &apiErr), region)
		assert.Equal(t, "UnrecognizedClientException", apiErr.ErrorCode(), region)
	}
	// The first member opted in to ap-east-1.
	_, err := kms.NewFromConfig(clientConfig(url, w.Config.MemberAccountIDs[0], "ap-east-1")).ListKeys(context.Background(), &kms.ListKeysInput{})
	assert.NoError(t, err)
}

func TestSessionCredentialsNeedTheirToken(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	mgmt := clientConfig(url, w.ManagementAccount, "us-east-1")
	out, err := sts.NewFromConfig(mgmt).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(memberRoleARN(w, w.Config.MemberAccountIDs[0])), RoleSessionName: aws.String("audit"),
	})
	require.NoError(t, err)
	c := out.Credentials
	withoutToken := noRetries(mgmt)
	withoutToken.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, "")
	_, err = kms.NewFromConfig(withoutToken).ListKeys(context.Background(), &kms.ListKeysInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "UnrecognizedClientException", apiErr.ErrorCode())

	withToken := mgmt
	withToken.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	_, err = kms.NewFromConfig(withToken).ListKeys(context.Background(), &kms.ListKeysInput{})
	assert.NoError(t, err)
}
