package plugin

import (
	"os"
	"runtime/debug"
)

// syncGCPercent is the garbage collector's target for a sync: the heap may grow by half its live
// size between collections instead of Go's default of all of it. A sync waits on AWS's quotas
// far more than it computes (a large organization's sync uses a fifth of one core), so the
// extra collections cost little, and they keep the resident memory near the live data.
const syncGCPercent = 50

// tuneGC applies syncGCPercent unless the user tuned the collector with GOGC or GOMEMLIMIT.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(syncGCPercent)
}
