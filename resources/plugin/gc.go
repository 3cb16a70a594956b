package plugin

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A sync's live heap is small and flat (rows stream; the work in flight is bounded), but it
// allocates fast: every AWS call allocates some 30 KiB in the SDK. At Go's default target (the
// heap grows by its live size between collections) the collector then runs several times a
// second and takes a quarter of the plugin's CPU. The plugin instead lets the heap grow to about
// heapBudget between collections while the live heap is small, and to half the live heap again
// when it is large, so memory stays bounded by the larger of heapBudget and 1.5 x the live heap.
const (
	// heapBudget is the heap size a collection is aimed at while the live heap is small.
	heapBudget = 64 << 20
	// minGCPercent is the target when the live heap is large: the heap grows by half its live
	// size between collections.
	minGCPercent = 50
	// maxGCPercent bounds the target when the live heap is tiny (at the start of a sync).
	maxGCPercent = 300
)

// gcPercentFor is the collector's target (GOGC) for a live heap of live bytes: the growth that
// reaches heapBudget, within [minGCPercent, maxGCPercent].
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	return min(max(int(heapBudget*100/live)-100, minGCPercent), maxGCPercent)
}

var tuneOnce sync.Once

// tuneGC keeps the collector's target at gcPercentFor the live heap, set again after every
// collection, for the life of the process, unless the user tuned the collector with GOGC or
// GOMEMLIMIT.
func tuneGC() {
	if userTunedGC() {
		return
	}
	retune()
	tuneOnce.Do(afterEveryCollection)
}

func userTunedGC() bool { return os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" }

// afterEveryCollection arms an unreachable object whose finalizer runs once the collection that
// finds it is over: it sets the target for the next cycle and arms another one.
func afterEveryCollection() {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		if !userTunedGC() {
			retune()
		}
		afterEveryCollection()
	})
}

// retune sets the target from the live heap the last collection marked. It runs from Configure
// and from the finalizer goroutine, so each call reads into a sample of its own.
func retune() {
	liveHeap := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(liveHeap)
	var live uint64
	if liveHeap[0].Value.Kind() == metrics.KindUint64 {
		live = liveHeap[0].Value.Uint64()
	}
	debug.SetGCPercent(gcPercentFor(live))
}
