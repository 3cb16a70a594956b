package main

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// The quotas come from the emulator's table (emulator.DocumentedQuotas), the tests' one copy of
// AWS's documented quotas; the benchmark hands them to the emulator explicitly, so every minimum
// below is computed against exactly what the emulator enforces.

// eventWindow is the CloudTrail window a sync with aws_kms_grant_events reads; nil for the
// inventory (aws_kms_grant_events skipped), which needs no CloudTrail call at all.
type eventWindow struct{ Since, Until time.Time }

// Page sizes the plugin asks for; each is the most the operation returns.
const (
	listKeysPage     = 1000
	listGrantsPage   = 100
	listAliasesPage  = 100
	listPoliciesPage = 1000
	listRotationPage = 1000
	listTagsPage     = 50
	lookupEventsPage = 50
)

// grantEventNames are the CloudTrail events the plugin reads; LookupEvents filters on one name
// per call, so each is a page chain of its own.
var grantEventNames = []string{"CreateGrant", "RetireGrant", "RevokeGrant"}

// discoveryChain is the sequential calls before any pair can start: Organizations ListAccounts,
// then AssumeRole into the member, then account ListRegions.
const discoveryChain = 3

// PairMinimum is the least time one (account, region) can take at AWS's quotas and the emulator's
// latency, from the calls its data needs.
type PairMinimum struct {
	emulator.AccountRegion
	// Calls are the calls the pair's data needs, per "service:Operation".
	Calls map[string]int
	// QuotaBound is the slowest operation's time at its quota: (calls - burst) / quota, the
	// emulator's bucket starting full with one second of quota.
	QuotaBound time.Duration
	QuotaOp    string
	// ChainBound is the longest run of calls that must follow each other (a page needs the
	// previous page's token), times the mean latency.
	ChainBound time.Duration
	ChainDesc  string
}

// Bound is the pair's minimum: its quotas and its longest chain both have to be waited out.
func (p PairMinimum) Bound() time.Duration { return max(p.QuotaBound, p.ChainBound) }

// Minimum is the quota-bound minimum of a whole sync: pairs run in parallel, so it is the slowest
// pair's bound after discovery.
type Minimum struct {
	Pairs     []PairMinimum
	Discovery time.Duration
	Slowest   PairMinimum
}

// Total is the least wall time of discovery plus the sync.
func (m Minimum) Total() time.Duration { return m.Discovery + m.Slowest.Bound() }

// Calls sums the needed calls of every pair per operation.
func (m Minimum) Calls() map[string]int {
	out := map[string]int{}
	for _, p := range m.Pairs {
		for op, n := range p.Calls {
			out[op] += n
		}
	}
	return out
}

// quotaBoundMinimum computes the minimum from the World the emulator serves: the work the user
// asked for (the tables synced), never reads the plugin adds on its own. events bounds the
// CloudTrail window aws_kms_grant_events reads (the 90 days before the sync); nil when the sync
// skips that table.
func quotaBoundMinimum(w *emulator.World, lat Latency, quotas map[string]float64, events *eventWindow) Minimum {
	m := Minimum{Discovery: discoveryChain * lat.Mean()}
	for _, ar := range sortedPairs(w) {
		p := pairMinimum(w.Regions[ar], lat, quotas, events)
		m.Pairs = append(m.Pairs, p)
		if p.Bound() > m.Slowest.Bound() {
			m.Slowest = p
		}
	}
	return m
}

func pairMinimum(rd *emulator.RegionData, lat Latency, quotas map[string]float64, events *eventWindow) PairMinimum {
	p := PairMinimum{AccountRegion: emulator.AccountRegion{Account: rd.Account, Region: rd.Region}, Calls: neededCalls(rd, events)}
	for op, n := range p.Calls {
		q := quotas[op]
		if q <= 0 {
			continue
		}
		d := time.Duration(float64(max(0, float64(n)-q)) / q * float64(time.Second))
		if d > p.QuotaBound {
			p.QuotaBound, p.QuotaOp = d, op
		}
	}
	chain, desc := longestChain(rd, events)
	p.ChainBound, p.ChainDesc = time.Duration(chain)*lat.Mean(), desc
	return p
}

// neededCalls counts the calls that cannot be avoided to read the pair's data: one per page of
// every list, one DescribeKey and one policy read per key, tags only on customer managed keys,
// rotation calls only on keys that support rotation, and, when the sync asked for
// aws_kms_grant_events, each CloudTrail event name read once.
func neededCalls(rd *emulator.RegionData, events *eventWindow) map[string]int {
	c := map[string]int{
		"kms:ListKeys":    pages(len(rd.Keys), listKeysPage),
		"kms:ListAliases": pages(len(rd.Aliases), listAliasesPage),
	}
	for _, k := range rd.Keys {
		c["kms:DescribeKey"]++
		c["kms:ListGrants"] += pages(len(k.Grants), listGrantsPage)
		c["kms:ListKeyPolicies"] += pages(len(k.Policies), listPoliciesPage)
		c["kms:GetKeyPolicy"] += len(k.Policies)
		if k.Metadata.KeyManager != kmstypes.KeyManagerTypeAws {
			c["kms:ListResourceTags"] += pages(len(k.Tags), listTagsPage)
		}
		if k.AnswersRotationCalls() {
			c["kms:GetKeyRotationStatus"]++
			c["kms:ListKeyRotations"] += pages(len(k.KeyMaterials), listRotationPage)
		}
	}
	if events != nil {
		for _, name := range grantEventNames {
			c["cloudtrail:LookupEvents"] += pages(eventsNamed(rd, name, events.Since, events.Until), lookupEventsPage)
		}
	}
	return c
}

// longestChain is the longest sequence of calls that must wait for each other: ListKeys pages,
// one DescribeKey, then a key's longest list; or one CloudTrail event name's pages.
func longestChain(rd *emulator.RegionData, events *eventWindow) (int, string) {
	perKey, hottest := 0, ""
	for _, k := range rd.Keys {
		n := max(pages(len(k.Grants), listGrantsPage), 2 /* ListKeyPolicies, GetKeyPolicy */)
		if n > perKey {
			perKey, hottest = n, k.ID()
		}
	}
	chain := pages(len(rd.Keys), listKeysPage) + 1 + perKey
	desc := "ListKeys, DescribeKey, ListGrants x " + strconv.Itoa(perKey) + " (key " + hottest + ")"
	for _, name := range grantEventNames {
		if events == nil {
			break
		}
		if n := pages(eventsNamed(rd, name, events.Since, events.Until), lookupEventsPage); n > chain {
			chain, desc = n, "LookupEvents "+name+" x "+strconv.Itoa(n)
		}
	}
	return chain, desc
}

// eventsNamed counts the pair's events of one name in the window the plugin reads. The window's
// end matters too: the emulator may date a grant's removal after its Now.
func eventsNamed(rd *emulator.RegionData, name string, since, until time.Time) int {
	n := 0
	for _, ev := range rd.Events {
		if ev.Record.EventName == name && !ev.Event.EventTime.Before(since) && !ev.Event.EventTime.After(until) {
			n++
		}
	}
	return n
}

// pages is how many calls list n items at size per page: at least one, and no empty last page.
func pages(n, size int) int { return max(1, (n+size-1)/size) }

func sortedPairs(w *emulator.World) []emulator.AccountRegion {
	out := make([]emulator.AccountRegion, 0, len(w.Regions))
	for ar := range w.Regions {
		out = append(out, ar)
	}
	slices.SortFunc(out, func(a, b emulator.AccountRegion) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return out
}
