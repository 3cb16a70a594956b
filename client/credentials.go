package client

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// configFactory builds the aws.Config of each account, all sharing the spec's endpoint, retryer,
// one HTTP client (one connection pool for the whole sync) and the attempt hook.
type configFactory struct {
	spec  *Spec
	pacer Pacer
	// budget bounds the calls in flight while a list is read page after page (callBudget).
	budget *callBudget
	stats  *CallStats
	// region is the discovery region when an account names none (see discoveryRegion).
	region string
	// http serves the credential chain's own calls (IMDS, SSO, the container endpoint), bounded by
	// request_timeout; calls is the one connection pool of every paced call, whose attempts
	// attemptHook bounds by request_timeout instead (see attemptTimeout).
	http  *awshttp.BuildableClient
	calls aws.HTTPClient
}

func newConfigFactory(spec *Spec, pacer Pacer, stats *CallStats) *configFactory {
	return &configFactory{
		spec: spec, pacer: pacer, budget: newProcessCallBudget(), stats: stats, region: discoveryRegion(spec),
		http:  awshttp.NewBuildableClient().WithTimeout(attemptTimeout(spec)),
		calls: callsClient(),
	}
}

// attemptTimeout bounds one attempt of one call. A timed-out attempt is a retryable error, so a
// hung answer costs one timeout, not the sync.
func attemptTimeout(spec *Spec) time.Duration {
	return time.Duration(*spec.RequestTimeout) * time.Second
}

// idleConnsPerHost is how many open connections to one endpoint are kept for reuse. Every account
// of a region calls the same regional endpoint through this one pool, so the SDK's default (10)
// would close and dial connections all sync long; this keeps the calls in flight of a sync's
// busiest endpoint open.
const idleConnsPerHost = 512

func keepConnections(tr *http.Transport) {
	tr.MaxIdleConns = 4 * idleConnsPerHost
	tr.MaxIdleConnsPerHost = idleConnsPerHost
}

// accountLabel names the account a configuration's calls are paced and counted under: the spec's
// name for it until GetCallerIdentity tells its id.
type accountLabel struct{ v atomic.Pointer[string] }

func newAccountLabel(name string) *accountLabel {
	l := &accountLabel{}
	l.set(name)
	return l
}

func (l *accountLabel) set(id string) { l.v.Store(&id) }
func (l *accountLabel) get() string   { return *l.v.Load() }

// base loads the default credential chain, or a named profile of the shared config files, with
// region as the region of its global calls (STS, Organizations, Account, EC2 DescribeRegions).
func (f *configFactory) base(ctx context.Context, profile, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithRetryer(newRetryer(f.spec)),
		config.WithHTTPClient(f.http),
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
// credentials, through the STS endpoint of region, paced and counted under the caller's label;
// they are cached and refreshed before they expire, once per account whatever its regions.
func (f *configFactory) assumeRole(cfg aws.Config, caller *accountLabel, region, roleARN, sessionName, externalID string) aws.Config {
	stsCfg := f.paced(cfg, caller)
	stsCfg.Region = region
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(stsCfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(provider)
	return out
}

// paced adds the attempt hook, so every call made with the copy is paced, counted under label and
// bounded by request_timeout, through the sync's one connection pool.
func (f *configFactory) paced(cfg aws.Config, label *accountLabel) aws.Config {
	out := cfg.Copy()
	out.HTTPClient = f.calls
	out.APIOptions = append(out.APIOptions, attemptHook(label.get, f.pacer, f.budget, f.stats, attemptTimeout(f.spec)))
	return out
}

// identity is who a configuration's credentials belong to.
type identity struct {
	AccountID string
	Partition string
}

// callerIdentity asks STS, in cfg's region, who cfg's credentials belong to.
func callerIdentity(ctx context.Context, cfg aws.Config) (identity, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return identity{}, err
	}
	id := identity{AccountID: aws.ToString(out.Account), Partition: partitionOf(cfg.Region)}
	if parsed, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
		id.Partition = parsed.Partition
	}
	return id, nil
}

// stsRegionRefused reports whether STS refused the call for its region rather than for the
// credentials: STS deactivated in the region (RegionDisabledException), or an opt-in region the
// account has not enabled, where the token is not recognised (InvalidClientTokenId).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html
func stsRegionRefused(err error) bool {
	code := errorCode(err)
	return code == "RegionDisabledException" || code == "InvalidClientTokenId"
}

// discoveryRegion is where global calls are signed when an account names no default_region:
// the first listed region, else the environment's, else us-east-1.
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

// accountRegion is the discovery region of one account: its default_region, else the first of
// its own listed regions, else the spec's.
func (f *configFactory) accountRegion(defaultRegion string, regions []string) string {
	if defaultRegion != "" {
		return defaultRegion
	}
	for _, r := range regions {
		if r != "*" {
			return r
		}
	}
	return f.region
}
