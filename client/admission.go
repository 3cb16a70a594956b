package client

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// PairsInFlight is how many pairs' inventory runs at once. A pair alone keeps its quotas busy
// with a few dozen calls in flight; sixteen pairs keep two cores busy without the memory and
// connections of hundreds.
const PairsInFlight = 16

// pairGate bounds the (account, region) pairs whose inventory runs at once: a pair is admitted
// when its first table starts and leaves when its last one ends, so memory and connections follow
// the gate's size, not the organization's. A pair takes one place however many of its tables
// wait for it: the first to arrive waits for the place, the others for the pair.
type pairGate struct {
	sem   *semaphore.Weighted
	mu    sync.Mutex
	pairs map[Pair]*admission
	// took is each pair's time admitted, for the next sync's order (pair_history.go).
	took map[Pair]time.Duration
}

// admission is one pair's place: runs counts its tables that wait for it or run; admitted is
// closed once the pair has its place (or err says why it will not).
type admission struct {
	runs     int
	admitted chan struct{}
	err      error
	since    time.Time // when the place came
}

func newPairGate(size int) *pairGate {
	return &pairGate{sem: semaphore.NewWeighted(int64(size)), pairs: map[Pair]*admission{}, took: map[Pair]time.Duration{}}
}

// AdmitPair waits until the client's pair may run (at once when one of its tables already runs)
// and returns the function that ends this table's run.
func (c *Client) AdmitPair(ctx context.Context) (leave func(), err error) {
	g, p := c.gate, Pair{AccountID: c.AccountID, Region: c.Region}
	g.mu.Lock()
	a := g.pairs[p]
	first := a == nil
	if first {
		a = &admission{admitted: make(chan struct{})}
		g.pairs[p] = a
	}
	a.runs++
	g.mu.Unlock()
	leave = g.leaver(p, a)
	if first {
		a.err = g.sem.Acquire(ctx, 1)
		a.since = time.Now()
		close(a.admitted)
	}
	select {
	case <-a.admitted:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	if a.err != nil {
		leave()
		return nil, a.err
	}
	return leave, nil
}

func (g *pairGate) leaver(p Pair, a *admission) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if a.runs--; a.runs > 0 {
				return
			}
			if g.pairs[p] == a {
				delete(g.pairs, p)
			}
			// The last table of the pair is gone: its place goes back once it was had (a table
			// that gave up waiting may leave before the pair's place came).
			giveBack := func() {
				<-a.admitted
				if a.err == nil {
					g.sem.Release(1)
				}
			}
			select {
			case <-a.admitted:
				if a.err == nil {
					g.took[p] += time.Since(a.since)
				}
				giveBack()
			default:
				go giveBack()
			}
		})
	}
}
