package plugin

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the collector's target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestTuneGCKeepsTheUsersSetting(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "200") // read by the runtime at start only; tuneGC must not override it
			debug.SetGCPercent(100)
			tuneGC()
			if got := gcPercent(); got != 100 {
				t.Errorf("with %s set, GOGC became %d; want it left at 100", env, got)
			}
		})
	}
}

func TestGCPercentFollowsTheLiveHeap(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		// 64 MiB budget: a live heap of 20 MiB may grow by 220 % (to 64 MiB), one of 32 MiB by
		// 100 %, one of 40 MiB by 60 %.
		{20 * mib, 220},
		{32 * mib, 100},
		{40 * mib, 60},
		// At or above 64/1.5 MiB the heap grows by half its live size: GOGC 50.
		{43 * mib, 50},
		{1024 * mib, 50},
		// A tiny live heap (the start of a sync) is capped at 300 %.
		{1 * mib, 300},
		{0, 300},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}

func TestTuneGCFollowsTheLiveHeapByDefault(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(1234) // no target the tuner gives
	tuneGC()
	// Whatever the test binary's live heap, the target is within the documented bounds.
	if got := gcPercent(); got < 50 || got > 300 {
		t.Errorf("GOGC = %d, want the live heap's target, within 50..300", got)
	}
}

func TestTuneGCRetunesAfterEveryCollection(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	tuneGC()
	debug.SetGCPercent(1234) // no target the tuner gives
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() == 1234 {
		if time.Now().After(deadline) {
			t.Fatal("GOGC still 1234 after collections: the target is not set again after a collection")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
