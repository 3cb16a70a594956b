package client

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// At most PairsInFlight pairs run at once, however many tables each runs, and a pair's second
// table joins it without waiting for a slot.
func TestAdmitPairBoundsThePairsRunning(t *testing.T) {
	root := &Client{gate: newPairGate(PairsInFlight)}
	var running, most atomic.Int64
	var perPair sync.Map
	var wg sync.WaitGroup
	for i := range 5 * PairsInFlight {
		for table := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := *root
				c.AccountID, c.Region = "acct", string(rune('a'+i%26))+string(rune('a'+i/26))
				leave, err := c.AdmitPair(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				n, _ := perPair.LoadOrStore(c.Region, new(atomic.Int64))
				if n.(*atomic.Int64).Add(1) == 1 {
					if r := running.Add(1); r > most.Load() {
						most.Store(r)
					}
				}
				time.Sleep(time.Duration(1+table) * time.Millisecond)
				if n.(*atomic.Int64).Add(-1) == 0 {
					running.Add(-1)
				}
				leave()
			}()
		}
	}
	wg.Wait()
	if got := most.Load(); got > PairsInFlight {
		t.Errorf("%d pairs ran at once, want at most %d", got, PairsInFlight)
	}
	if len(root.gate.pairs) != 0 {
		t.Errorf("%d pairs still admitted after every table ended", len(root.gate.pairs))
	}
	if !root.gate.sem.TryAcquire(PairsInFlight) {
		t.Error("the gate's slots were not all given back")
	}
}
