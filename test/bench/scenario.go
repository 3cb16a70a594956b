package main

import (
	"strconv"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// Size is one organization the benchmark syncs.
type Size struct {
	Name          string
	Accounts      int
	Regions       []string
	KeysPerRegion int
	GrantsPerKey  emulator.IntRange
	HotKeyGrants  int
}

// baseSize is issue 5's organization: 10 accounts x 3 regions x 300 keys with a few grants each,
// plus one key with 50,000 grants (KMS's grants-per-key quota).
func baseSize() Size {
	return Size{
		Name:          "1x",
		Accounts:      10,
		Regions:       []string{"us-east-1", "eu-west-1", "ap-southeast-2"},
		KeysPerRegion: 300,
		GrantsPerKey:  emulator.IntRange{Min: 1, Max: 5},
		HotKeyGrants:  50000,
	}
}

// scaledGrants multiplies the grants of every ordinary key; the hot key stays at 50,000, the most
// KMS allows on one key.
func (s Size) scaledGrants(factor int) Size {
	s.Name = strconv.Itoa(factor) + "x grants"
	s.GrantsPerKey = emulator.IntRange{Min: s.GrantsPerKey.Min * factor, Max: s.GrantsPerKey.Max * factor}
	return s
}

// Latency is the emulator's per-call delay: Fixed plus a uniform draw in [0, Jitter).
type Latency struct {
	Fixed, Jitter time.Duration
}

// Mean is the expected delay of one call.
func (l Latency) Mean() time.Duration { return l.Fixed + l.Jitter/2 }

// emulatorConfig is the World and serving behaviour for one run: AWS's real quotas (scale 1) and
// the given latency. now anchors the World's dates so the CloudTrail window the plugin reads
// (the last 90 days) holds every generated event.
func emulatorConfig(s Size, lat Latency, quotaOverrides map[string]float64, now time.Time) emulator.Config {
	cfg := emulator.DefaultConfig()
	cfg.Now = now
	cfg.MemberAccountIDs, cfg.MemberAccounts = nil, s.Accounts-1
	cfg.SuspendedAccounts = 0
	cfg.Regions = s.Regions
	cfg.AccountRegions = nil
	cfg.KeysPerRegion = s.KeysPerRegion
	cfg.GrantsPerKey = s.GrantsPerKey
	cfg.HotKeyGrants = s.HotKeyGrants
	cfg.Scenario = false
	cfg.Server.Latency = emulator.LatencyConfig{Fixed: emulator.Duration(lat.Fixed), Jitter: emulator.Duration(lat.Jitter)}
	cfg.Server.Quotas = emulator.QuotaConfig{Enabled: true, Scale: 1, PerSecond: quotaOverrides}
	return cfg
}
