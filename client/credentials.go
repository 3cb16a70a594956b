package client

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// configFactory builds the aws.Config of each account, all sharing the spec's endpoint, retryer
// and attempt hook.
type configFactory struct {
	spec   *Spec
	pacer  Pacer
	stats  *CallStats
	region string // region for global calls (STS, Organizations, Account)
}

// base loads the default credential chain, or a named profile of the shared config files.
func (f *configFactory) base(ctx context.Context, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(f.region),
		config.WithRetryer(newRetryer(f.spec)),
		// A timed-out attempt is a retryable error, so a hung answer costs one timeout, not the sync.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(time.Duration(*f.spec.RequestTimeout) * time.Second)),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if profile != "" {
			return aws.Config{}, fmt.Errorf("loading local_profile %q: %w", profile, err)
		}
		return aws.Config{}, fmt.Errorf("loading the default AWS credential chain: %w", err)
	}
	if f.spec.CustomEndpointURL != "" {
		cfg.BaseEndpoint = aws.String(f.spec.CustomEndpointURL)
	}
	return cfg, nil
}

// assumeRole returns a copy of cfg whose credentials come from assuming roleARN with cfg's
// credentials; they are cached and refreshed before they expire.
func (f *configFactory) assumeRole(cfg aws.Config, roleARN, sessionName, externalID string) aws.Config {
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(provider)
	return out
}

// forAccount adds the account's attempt hook, so every call is paced and counted under it.
func (f *configFactory) forAccount(cfg aws.Config, accountID string) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(out.APIOptions, attemptHook(accountID, f.pacer, f.stats))
	return out
}

// identity is who a configuration's credentials belong to.
type identity struct {
	AccountID string
	Partition string
}

func callerIdentity(ctx context.Context, cfg aws.Config) (identity, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return identity{}, err
	}
	id := identity{AccountID: aws.ToString(out.Account), Partition: "aws"}
	if parsed, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
		id.Partition = parsed.Partition
	}
	return id, nil
}

// discoveryRegion is where global calls are signed: the first listed region, else the
// environment's, else us-east-1.
func discoveryRegion(spec *Spec) string {
	for _, r := range spec.Regions {
		if r != "*" {
			return r
		}
	}
	for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if r := os.Getenv(env); r != "" {
			return r
		}
	}
	return defaultDiscoveryRegion
}
