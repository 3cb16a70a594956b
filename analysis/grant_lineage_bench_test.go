package analysis

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkLineageMemory measures the heap a Lineage keeps per CreateGrant event, against a
// reference measured in the same run: the same facts indexed as the events hold them (grant id,
// caller and grantee strings, time), one small struct per grant in a map by grant id.
// `go test -run '^$' -bench LineageMemory ./analysis` prints bytes/event and the ratio.
func BenchmarkLineageMemory(b *testing.B) {
	const events = 100_000
	evs := lineageEvents(events)
	type reference struct {
		grantID, caller, grantee string
		at                       time.Time
	}
	var lineageBytes, referenceBytes float64
	for b.Loop() {
		lineageBytes = heapGrowth(func() any {
			l := NewLineage()
			for _, e := range evs {
				l.Add(e)
			}
			l.CreatedBy(*evs[0].GrantID) // the first look-up indexes
			return l
		})
		referenceBytes = heapGrowth(func() any {
			m := map[string]*reference{}
			for _, e := range evs {
				// Copies, as each event parsed from CloudTrail brings its own strings.
				id, caller, grantee := string([]byte(*e.GrantID)), string([]byte(*e.CallerARN)), string([]byte(*e.GranteePrincipal))
				m[id] = &reference{grantID: id, caller: caller, grantee: grantee, at: e.EventTime}
			}
			return m
		})
	}
	b.ReportMetric(lineageBytes/events, "bytes/event")
	b.ReportMetric(referenceBytes/events, "reference-bytes/event")
	b.ReportMetric(lineageBytes/referenceBytes, "ratio")
}

// lineageEvents are n CreateGrant events with KMS-shaped grant ids, made by a few principals
// (as in real accounts) for many grantees.
func lineageEvents(n int) []GrantEvent {
	evs := make([]GrantEvent, n)
	for i := range evs {
		caller := fmt.Sprintf("arn:aws:sts::111111111111:assumed-role/Deployer%d/session", i%7)
		grantee := fmt.Sprintf("arn:aws:iam::111111111111:role/service-role/app-%06d", i)
		evs[i] = createGrantEvent(fmt.Sprintf("%064x", i*7919), caller, grantee, i, "Decrypt", "Encrypt")
	}
	return evs
}

// heapGrowth is how much the live heap grows by keeping what build returns.
func heapGrowth(build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc)
}
