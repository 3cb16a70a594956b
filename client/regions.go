package client

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/rs/zerolog"
)

// How an account's regions were decided, for the one line each account logs.
const (
	regionsFromListRegions     = "account:ListRegions"
	regionsFromDescribeRegions = "ec2:DescribeRegions"
	regionsConfigured          = "configured (enabled regions unknown)"
	regionsDiscoveryOnly       = "discovery region only (enabled regions unknown)"
)

// regionsOf resolves the regions to sync in one account: every enabled region for ["*"], or the
// listed ones that are enabled. The enabled regions come from account:ListRegions, else from
// ec2:DescribeRegions (which lists the enabled regions only); regions are read once per account
// and run, and the account logs once which regions it is synced in and why.
func regionsOf(ctx context.Context, logger zerolog.Logger, s *accountSession) []string {
	log := logger.With().Str("account", s.Name).Str("account_id", s.ID).Logger()
	wantAll := len(s.regions) == 1 && s.regions[0] == "*"
	enabled, source, errs := enabledRegions(ctx, s.cfg)
	var out []string
	switch {
	case source == "" && wantAll:
		log.Error().Errs("errors", errs).Str("region", s.region).
			Msg("cannot list the account's enabled regions (it needs account:ListRegions or ec2:DescribeRegions); syncing its discovery region only")
		out, source = []string{s.region}, regionsDiscoveryOnly
	case source == "":
		log.Warn().Errs("errors", errs).
			Msg("cannot list the account's enabled regions (it needs account:ListRegions or ec2:DescribeRegions); using the configured regions as they are, and calls in a region that is not enabled will fail with UnrecognizedClientException")
		out, source = slices.Clone(s.regions), regionsConfigured
	case wantAll:
		out = enabled
	default:
		for _, r := range s.regions {
			if slices.Contains(enabled, r) {
				out = append(out, r)
			} else {
				log.Warn().Str("region", r).Msg("skipping region: not enabled in this account")
			}
		}
	}
	if len(errs) > 0 && source != regionsDiscoveryOnly && source != regionsConfigured {
		log.Info().Errs("errors", errs).Msgf("account:ListRegions failed; the enabled regions come from %s", source)
	}
	out = inPartition(log, s.Partition, out)
	log.Info().Strs("regions", out).Str("regions_from", source).Msg("account's regions")
	return out
}

// inPartition drops regions of another partition than the account's: its credentials cannot
// work there.
func inPartition(log zerolog.Logger, partition string, regions []string) []string {
	var out []string
	for _, r := range regions {
		if p := partitionOf(r); p != partition {
			log.Warn().Str("region", r).Str("region_partition", p).Str("account_partition", partition).
				Msg("skipping region: it belongs to another partition than the account")
			continue
		}
		out = append(out, r)
	}
	return out
}

// enabledRegions lists the account's enabled regions, sorted, and says where from: "" when
// neither ListRegions nor DescribeRegions answered (errs says why).
func enabledRegions(ctx context.Context, cfg aws.Config) (regions []string, source string, errs []error) {
	regions, err := listRegions(ctx, cfg)
	if err == nil {
		return regions, regionsFromListRegions, nil
	}
	errs = append(errs, fmt.Errorf("account:ListRegions: %w", err))
	regions, err = describeRegions(ctx, cfg)
	if err == nil {
		return regions, regionsFromDescribeRegions, errs
	}
	return nil, "", append(errs, fmt.Errorf("ec2:DescribeRegions: %w", err))
}

// listRegions asks the Account API for the regions ENABLED or ENABLED_BY_DEFAULT.
func listRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	var out []string
	p := account.NewListRegionsPaginator(account.NewFromConfig(cfg), &account.ListRegionsInput{
		MaxResults:              aws.Int32(50),
		RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Regions {
			out = append(out, aws.ToString(r.RegionName))
		}
	}
	slices.Sort(out)
	return out, nil
}

// describeRegions asks EC2, in the account's discovery region, for the regions enabled for the
// account: without AllRegions, DescribeRegions leaves out the opt-in regions it has not enabled
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html).
func describeRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	regions := make([]string, 0, len(out.Regions))
	for _, r := range out.Regions {
		regions = append(regions, aws.ToString(r.RegionName))
	}
	slices.Sort(regions)
	return regions, nil
}
