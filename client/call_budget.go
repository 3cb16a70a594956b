package client

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// While a list is read page after page (a key with 50,000 grants is a chain of 500 calls, each
// waiting for the previous page's marker), its pages must be picked up the moment they arrive.
// A Go process whose every P is busy notices a socket that became readable only when a P runs
// out of work or when the runtime's monitor polls the network, up to 10 ms later; and a sync's
// other calls keep every P busy: measured in the inventory bench, the hot key's pages took 27 ms
// each under load, where the latency was 20 ms and the same chain alone took 21.6 ms a page.
// So while a chain is being read, the sync's other calls in flight are bounded by what the
// plugin's cores can turn around with room to spare (callBudget); the chain's own pages pass.
// A chain is a list read beyond its second page (WithinLongList): a list of two pages ends
// with the next call and is no reason to hold others back. With no chain, calls are bounded by
// their quotas alone.

type longListKey struct{}

// WithinLongList marks ctx as the context of calls for the third and later pages of a list.
func WithinLongList(ctx context.Context) context.Context {
	return context.WithValue(ctx, longListKey{}, true)
}

// IsWithinLongList reports whether ctx was marked by WithinLongList.
func IsWithinLongList(ctx context.Context) bool {
	v, _ := ctx.Value(longListKey{}).(bool)
	return v
}

// callsPerCoreSecond is how many calls a second the budget lets each core (GOMAXPROCS) start
// while a chain is read. A call costs the plugin about 200 µs of CPU with its rows (180-220 µs
// measured in the inventory bench), so 2,800 calls a second keep about half of a core busy.
const callsPerCoreSecond = 2800

// minCallsPerCore is the least the budget allows in flight per core, whatever the latency.
const minCallsPerCore = 32

// chainWindow is how long after a long list's page's call started or ended a chain counts as
// being read: between one page's answer and the next page's call, none is in flight.
const chainWindow = 100 * time.Millisecond

// callBudget bounds the first-page calls in flight (see above) while a long list's page was in
// flight within chainWindow: to callsPerCoreSecond times the cores times the calls' latency
// (Little's law: that many in flight start that many a second), at least minCallsPerCore a
// core. Calls beyond it wait, first come first served. The latency is a moving average over
// about the last 64 calls, so far regions get a larger budget.
type callBudget struct {
	cores int
	now   func() time.Time

	latency   atomic.Int64 // ns
	lastChain atomic.Int64 // unix ns

	mu       sync.Mutex
	inFlight int
	waiting  []chan struct{}
}

func newCallBudget(cores int) *callBudget {
	b := &callBudget{cores: max(cores, 1), now: time.Now}
	b.latency.Store(int64(20 * time.Millisecond))
	return b
}

func newProcessCallBudget() *callBudget { return newCallBudget(runtime.GOMAXPROCS(0)) }

// limit is how many first-page calls may be in flight now; math.MaxInt when no chain is read.
func (b *callBudget) limit() int {
	if b.now().UnixNano()-b.lastChain.Load() > int64(chainWindow) {
		return math.MaxInt
	}
	perCore := int(math.Ceil(callsPerCoreSecond * time.Duration(b.latency.Load()).Seconds()))
	return b.cores * max(perCore, minCallsPerCore)
}

// acquire waits for a place for a call; a follow-up page's call takes none.
func (b *callBudget) acquire(ctx context.Context, followUp bool) error {
	b.noteChain(ctx)
	if followUp {
		return nil
	}
	b.mu.Lock()
	if len(b.waiting) == 0 && b.inFlight < b.limit() {
		b.inFlight++
		b.mu.Unlock()
		return nil
	}
	turn := make(chan struct{}, 1)
	b.waiting = append(b.waiting, turn)
	b.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		defer b.mu.Unlock()
		select {
		case <-turn: // given a place meanwhile: hand it on
			b.inFlight--
			b.admitLocked()
		default:
			for i, w := range b.waiting {
				if w == turn {
					b.waiting = append(b.waiting[:i], b.waiting[i+1:]...)
					break
				}
			}
		}
		return ctx.Err()
	}
}

// release ends a call that took the given time, and lets waiting calls in.
func (b *callBudget) release(ctx context.Context, followUp bool, took time.Duration) {
	for {
		old := b.latency.Load()
		if b.latency.CompareAndSwap(old, old+(int64(took)-old)/64) {
			break
		}
	}
	b.noteChain(ctx)
	if followUp {
		return
	}
	b.mu.Lock()
	b.inFlight--
	b.admitLocked()
	b.mu.Unlock()
}

// noteChain records that a long list's page is being read, when ctx is one's.
func (b *callBudget) noteChain(ctx context.Context) {
	if IsWithinLongList(ctx) {
		b.lastChain.Store(b.now().UnixNano())
	}
}

func (b *callBudget) admitLocked() {
	limit := b.limit()
	for len(b.waiting) > 0 && b.inFlight < limit {
		b.inFlight++
		b.waiting[0] <- struct{}{}
		b.waiting = b.waiting[1:]
	}
}
