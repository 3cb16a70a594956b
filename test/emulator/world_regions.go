package emulator

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
)

// optInRegions must be enabled by the account before use; the others are
// enabled by default.
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
	"eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
}

// generateRegionStatuses decides which regions each account can use. The
// known regions are every region the config names; ListRegions reports each of
// them ENABLED_BY_DEFAULT, ENABLED (an opt-in region the account enabled) or
// DISABLED.
func (w *World) generateRegionStatuses() {
	cfg := w.Config
	known := slices.Clone(cfg.Regions)
	known = append(known, cfg.DisabledRegions...)
	for _, regions := range cfg.AccountRegions {
		known = append(known, regions...)
	}
	slices.Sort(known)
	known = slices.Compact(known)

	w.EnabledRegions = map[string][]string{}
	w.RegionStatuses = map[string][]accounttypes.Region{}
	for _, id := range w.OrgAccountIDs() {
		enabled := cfg.Regions
		if own, ok := cfg.AccountRegions[id]; ok {
			enabled = own
		}
		enabled = slices.DeleteFunc(slices.Clone(enabled), func(r string) bool {
			return slices.Contains(cfg.DisabledRegions, r)
		})
		w.EnabledRegions[id] = enabled
		statuses := make([]accounttypes.Region, 0, len(known))
		for _, region := range known {
			status := accounttypes.RegionOptStatusDisabled
			switch {
			case slices.Contains(enabled, region) && slices.Contains(optInRegions, region):
				status = accounttypes.RegionOptStatusEnabled
			case slices.Contains(enabled, region):
				status = accounttypes.RegionOptStatusEnabledByDefault
			}
			statuses = append(statuses, accounttypes.Region{RegionName: aws.String(region), RegionOptStatus: status})
		}
		w.RegionStatuses[id] = statuses
	}
}

// regionEnabled reports whether the account may call the region.
func (w *World) regionEnabled(account, region string) bool {
	return slices.Contains(w.EnabledRegions[account], region)
}
