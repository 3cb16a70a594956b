package plugin

import (
	"runtime/debug"
	"testing"
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
	t.Run("default", func(t *testing.T) {
		t.Setenv("GOGC", "")
		t.Setenv("GOMEMLIMIT", "")
		debug.SetGCPercent(100)
		tuneGC()
		if got := gcPercent(); got != syncGCPercent {
			t.Errorf("GOGC = %d, want %d", got, syncGCPercent)
		}
	})
}
