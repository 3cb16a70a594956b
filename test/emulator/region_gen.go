package emulator

import (
	"cmp"
	"slices"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// regionGen generates one account's region. It owns the region's random
// stream, so regions do not depend on each other.
type regionGen struct {
	w         *World
	r         *rng
	account   string
	region    string
	partition string
	rd        *RegionData
	// crossAccount collects the caller-side copies of calls from other accounts.
	crossAccount map[AccountRegion][]TrailEvent
	admin        actor
	// cursor deals grant archetypes round-robin across the region's keys.
	cursor int
}

func newRegionGen(w *World, account, region string, crossAccount map[AccountRegion][]TrailEvent) *regionGen {
	return &regionGen{
		w:            w,
		r:            newRNG(w.Config.Seed, "region", account, region),
		account:      account,
		region:       region,
		partition:    w.Partition,
		rd:           &RegionData{Account: account, Region: region},
		crossAccount: crossAccount,
		admin:        assumedRoleActor(w.Partition, account, KeyAdminRoleName, keyAdminSessionName),
		cursor:       -1,
	}
}

func (g *regionGen) generate() {
	g.generateClusters()
	g.generateCatalogueKeys()
	g.generatePlainKeys()
	if g.account == g.w.ManagementAccount && g.region == g.w.firstRegion() {
		if g.w.Config.Scenario {
			g.generateScenario()
		}
		if g.w.Config.HotKeyGrants > 0 {
			g.generateHotKey()
		}
	}
	if keyAccount, _ := g.w.accessScenarioAccounts(); g.w.Config.AccessScenario && g.account == keyAccount && g.region == g.w.EnabledRegions[g.account][0] {
		g.generateAccessScenario()
	}
	g.generateGrantHistory()
	g.generateNoiseEvents()
	g.generateRetiredGrants()
}

// log records a call in this region's trail and, for a caller from another
// account, in the caller's trail too.
func (g *regionGen) log(spec eventSpec) TrailEvent {
	ids := trailIDs{EventID: g.r.uuid(), RequestID: g.r.uuid()}
	cross := spec.Actor.Type != "AWSService" && spec.Actor.Account != g.account
	if cross {
		ids.SharedEventID = g.r.uuid()
	}
	ev := buildTrailEvent(spec, g.partition, g.region, g.account, ids)
	g.rd.Events = append(g.rd.Events, ev)
	if cross {
		callerIDs := trailIDs{EventID: g.r.uuid(), RequestID: ids.RequestID, SharedEventID: ids.SharedEventID}
		ar := AccountRegion{spec.Actor.Account, g.region}
		g.crossAccount[ar] = append(g.crossAccount[ar], buildTrailEvent(spec, g.partition, g.region, spec.Actor.Account, callerIDs))
	}
	return ev
}

// recentSince returns a time within CloudTrail's retention and after t.
func (g *regionGen) recentSince(t time.Time) time.Time {
	from := g.w.Now.Add(-trailRetention + 24*time.Hour)
	if t.After(from) {
		from = t.Add(time.Minute)
	}
	return g.r.timeBetween(from, g.w.Now.Add(-time.Hour))
}

// sortAll puts every list in the order its list operation returns it.
func (rd *RegionData) sortAll() {
	slices.SortFunc(rd.Keys, func(a, b *Key) int {
		return cmp.Or(a.Metadata.CreationDate.Compare(*b.Metadata.CreationDate), cmp.Compare(a.ID(), b.ID()))
	})
	for _, k := range rd.Keys {
		sortGrants(k.Grants)
	}
	slices.SortFunc(rd.Aliases, func(a, b kmstypes.AliasListEntry) int { return cmp.Compare(*a.AliasName, *b.AliasName) })
	sortEvents(rd.Events)
}

func sortEvents(events []TrailEvent) {
	slices.SortFunc(events, func(a, b TrailEvent) int {
		return cmp.Or(b.Event.EventTime.Compare(*a.Event.EventTime), cmp.Compare(*b.Event.EventId, *a.Event.EventId))
	})
}
