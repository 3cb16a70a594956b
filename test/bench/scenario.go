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
	// RetiredGrants per account-region were created and retired inside CloudTrail's window: a
	// busy account's trail (emulator.Config.RetiredGrantsPerRegion).
	RetiredGrants int
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

// busySize is issue 9's busy CloudTrail: 3 accounts x 2 regions x 100 keys (about 350 live
// grants per account-region) with 20,000 grants created and retired in each account-region, so
// event volume, not live grants, sets the CloudTrail work (about 57x the live grants).
func busySize() Size {
	return Size{
		Name:          "busy CloudTrail",
		Accounts:      3,
		Regions:       []string{"us-east-1", "eu-west-1"},
		KeysPerRegion: 100,
		GrantsPerKey:  emulator.IntRange{Min: 1, Max: 5},
		RetiredGrants: 20000,
	}
}

// wideRegions are the six regions of the wide organizations.
var wideRegions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}

// wideSize is issue 13's wide organization: accounts x 6 regions x 10 plain keys (plus the
// emulator's catalogue of key kinds), a few grants each, no hot key.
func wideSize() Size {
	return Size{
		Name:          "wide",
		Regions:       wideRegions,
		KeysPerRegion: 10,
		GrantsPerKey:  emulator.IntRange{Min: 1, Max: 5},
	}
}

// scaled shrinks (or grows) the size's volumes for a quicker run: keys, the hot key's grants and
// the retired grants; accounts and regions stay.
func (s Size) scaled(f float64) Size {
	if f == 1 {
		return s
	}
	s.KeysPerRegion = max(1, int(float64(s.KeysPerRegion)*f))
	s.HotKeyGrants = min(50000, int(float64(s.HotKeyGrants)*f))
	s.RetiredGrants = int(float64(s.RetiredGrants) * f)
	return s
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
	cfg.RetiredGrantsPerRegion = s.RetiredGrants
	cfg.Scenario = false
	cfg.Server.Latency = emulator.LatencyConfig{Fixed: emulator.Duration(lat.Fixed), Jitter: emulator.Duration(lat.Jitter)}
	cfg.Server.Quotas = emulator.QuotaConfig{Enabled: true, Scale: 1, PerSecond: quotaOverrides}
	return cfg
}
