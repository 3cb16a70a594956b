package client

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/rs/zerolog"
)

// regionsOf resolves the regions to sync in one account: every enabled region for ["*"], or the
// listed ones that are enabled. Regions are read once per account and run.
func regionsOf(ctx context.Context, logger zerolog.Logger, s *accountSession, fallback string) []string {
	enabled, err := enabledRegions(ctx, s.cfg)
	wantAll := len(s.regions) == 1 && s.regions[0] == "*"
	switch {
	case err != nil && wantAll:
		logger.Error().Err(err).Str("account", s.ID).Str("region", fallback).
			Msg("cannot list the account's enabled regions (it needs account:ListRegions); syncing the discovery region only")
		return []string{fallback}
	case err != nil:
		logger.Warn().Err(err).Str("account", s.ID).
			Msg("cannot list the account's enabled regions (it needs account:ListRegions); using the configured regions as they are, and calls in a region that is not enabled will fail with UnrecognizedClientException")
		return slices.Clone(s.regions)
	case wantAll:
		return enabled
	}
	var out []string
	for _, r := range s.regions {
		if slices.Contains(enabled, r) {
			out = append(out, r)
		} else {
			logger.Warn().Str("account", s.ID).Str("region", r).Msg("skipping region: not enabled in this account")
		}
	}
	return out
}

func enabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
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
