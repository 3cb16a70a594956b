package emulator

import (
	"cmp"
	"slices"
	"sync"
)

// StatKey identifies one counter: an operation ("kms:ListGrants") called by an
// account in a region.
type StatKey struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Operation string `json:"operation"`
}

// CallStats counts the calls of one StatKey. Calls counts every
// authenticated request; Throttled and Faults are the ones answered with a
// throttling error or an injected fault.
type CallStats struct {
	Calls     int64 `json:"calls"`
	Throttled int64 `json:"throttled"`
	Faults    int64 `json:"faults"`
}

// Stats is a snapshot of every counter.
type Stats map[StatKey]CallStats

// Operation sums an operation's counters over accounts and regions.
func (st Stats) Operation(op string) CallStats {
	var total CallStats
	for k, v := range st {
		if k.Operation == op {
			total.Calls += v.Calls
			total.Throttled += v.Throttled
			total.Faults += v.Faults
		}
	}
	return total
}

// StatEntry is one counter, as /_emu/stats lists them.
type StatEntry struct {
	StatKey
	CallStats
}

// Entries lists the counters sorted by account, region and operation.
func (st Stats) Entries() []StatEntry {
	out := make([]StatEntry, 0, len(st))
	for k, v := range st {
		out = append(out, StatEntry{k, v})
	}
	slices.SortFunc(out, func(a, b StatEntry) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Operation, b.Operation))
	})
	return out
}

type statsRecorder struct {
	mu       sync.Mutex
	counters map[StatKey]*CallStats
}

func newStatsRecorder() *statsRecorder { return &statsRecorder{counters: map[StatKey]*CallStats{}} }

// call counts a call and returns its 1-based number for this key, which
// makes the fault draws for it deterministic.
func (r *statsRecorder) call(k StatKey) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.counters[k]
	if c == nil {
		c = &CallStats{}
		r.counters[k] = c
	}
	c.Calls++
	return c.Calls
}

func (r *statsRecorder) throttled(k StatKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[k].Throttled++
}

func (r *statsRecorder) fault(k StatKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[k].Faults++
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(Stats, len(r.counters))
	for k, v := range r.counters {
		out[k] = *v
	}
	return out
}

func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters = map[StatKey]*CallStats{}
}
