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

// A pair takes one place however many of its tables wait for it: with places for 3, all taken,
// and pair B's five tables waiting before pair C, two places coming free admit B and C (B's
// tables used to take a place each, leaving C waiting with only two pairs running).
func TestAWaitingPairTakesOnePlace(t *testing.T) {
	root := &Client{gate: newPairGate(3)}
	admit := func(ctx context.Context, region string) (func(), error) {
		c := *root
		c.AccountID, c.Region = "acct", region
		return c.AdmitPair(ctx)
	}
	var leaves []func()
	for _, r := range []string{"a1", "a2", "a3"} {
		leave, err := admit(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, leave)
	}
	type result struct {
		leave func()
		err   error
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	b := make(chan result, 5)
	for range 5 {
		go func() {
			leave, err := admit(ctx, "b")
			b <- result{leave, err}
		}()
	}
	time.Sleep(50 * time.Millisecond) // B's tables wait before C
	c := make(chan result, 1)
	go func() {
		leave, err := admit(ctx, "c")
		c <- result{leave, err}
	}()
	time.Sleep(50 * time.Millisecond)
	leaves[0]()
	leaves[1]()
	got := <-c
	if got.err != nil {
		t.Fatalf("pair C was not admitted when two places came free: %v", got.err)
	}
	for range 5 {
		if r := <-b; r.err != nil {
			t.Errorf("a table of pair B: %v", r.err)
		} else {
			r.leave()
		}
	}
	got.leave()
	leaves[2]()
	if !root.gate.sem.TryAcquire(3) {
		t.Error("the gate's places were not all given back")
	}
}
