package client

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// PairsInFlight is how many pairs' inventory runs at once. A pair alone keeps its quotas busy
// with a few dozen calls in flight; sixteen pairs keep two cores busy without the memory and
// connections of hundreds.
const PairsInFlight = 16

// pairGate bounds the (account, region) pairs whose inventory runs at once: a pair is admitted
// when its first table starts and leaves when its last one ends, so memory and connections follow
// the gate's size, not the organization's.
type pairGate struct {
	sem   *semaphore.Weighted
	mu    sync.Mutex
	pairs map[Pair]*admission
}

type admission struct{ runs, slots int64 }

func newPairGate(size int) *pairGate {
	return &pairGate{sem: semaphore.NewWeighted(int64(size)), pairs: map[Pair]*admission{}}
}

// AdmitPair waits until the client's pair may run (at once when one of its tables already runs)
// and returns the function that ends this table's run.
func (c *Client) AdmitPair(ctx context.Context) (leave func(), err error) {
	g, p := c.gate, Pair{AccountID: c.AccountID, Region: c.Region}
	g.mu.Lock()
	if a := g.pairs[p]; a != nil {
		a.runs++
		g.mu.Unlock()
		return g.leaver(p), nil
	}
	g.mu.Unlock()
	if err := g.sem.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	g.mu.Lock()
	a := g.pairs[p]
	if a == nil {
		a = &admission{}
		g.pairs[p] = a
	}
	a.runs++
	a.slots++ // two tables may have waited for the pair at once
	g.mu.Unlock()
	return g.leaver(p), nil
}

func (g *pairGate) leaver(p Pair) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			a := g.pairs[p]
			if a.runs--; a.runs == 0 {
				g.sem.Release(a.slots)
				delete(g.pairs, p)
			}
		})
	}
}
