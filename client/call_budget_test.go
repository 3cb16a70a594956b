package client

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// fakeClockBudget is a budget for cores whose clock the test moves, with the calls' latency set.
func fakeClockBudget(cores int, latency time.Duration) (*callBudget, *time.Time) {
	now := time.Unix(1_700_000_000, 0)
	b := newCallBudget(cores)
	b.now = func() time.Time { return now }
	b.latency.Store(int64(latency))
	return b, &now
}

// fullBudget is a budget of 1 core at 20 ms (1 x ceil(2,800 x 0.020) = 56 in flight) while a
// chain is read, with its 56 places taken.
func fullBudget(t *testing.T) (*callBudget, *time.Time) {
	t.Helper()
	b, now := fakeClockBudget(1, 20*time.Millisecond)
	_ = b.acquire(chainPage, true)
	for range 56 {
		if !acquireNow(t, b) {
			t.Fatal("one of 56 calls waited")
		}
	}
	return b, now
}

// acquireNow reports whether a first-page call gets its place without waiting.
func acquireNow(t *testing.T, b *callBudget) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	return b.acquire(ctx, false) == nil
}

// chainPage is the context of a call for a list's third or later page.
var chainPage = WithinLongList(context.Background())

// Without a chain being read, calls are bounded by their quotas alone; a list's second page
// (a follow-up, but not of a long list) is no chain.
func TestCallBudgetIsUnboundedWithoutAChain(t *testing.T) {
	b, _ := fakeClockBudget(2, 20*time.Millisecond)
	if err := b.acquire(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		if !acquireNow(t, b) {
			t.Fatalf("call %d waited with no chain read", i+1)
		}
	}
}

// While a chain is read, 2 cores at 20 ms of latency take 2 x ceil(2,800/s x 0.020 s) = 112
// first-page calls in flight; the 113th waits for one to end. The chain's pages never wait.
func TestCallBudgetBoundsCallsWhileAChainIsRead(t *testing.T) {
	b, _ := fakeClockBudget(2, 20*time.Millisecond)
	if err := b.acquire(chainPage, true); err != nil {
		t.Fatal(err)
	}
	for i := range 112 {
		if !acquireNow(t, b) {
			t.Fatalf("call %d of 112 waited", i+1)
		}
	}
	if acquireNow(t, b) {
		t.Fatal("call 113 did not wait")
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(context.Background(), false) }()
	time.Sleep(10 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("a waiting call went ahead (%v) before any call ended", err)
	default:
	}
	b.release(context.Background(), false, 20*time.Millisecond)
	letIn(t, got, "the waiting call was not let in when a call ended")
	for i := range 3 {
		if err := b.acquire(chainPage, true); err != nil {
			t.Fatalf("follow-up page %d: %v", i+1, err)
		}
	}
}

// The budget follows the calls' latency (a far region's calls are longer in flight) and never
// goes below 32 calls a core.
func TestCallBudgetFollowsLatency(t *testing.T) {
	for _, c := range []struct {
		cores   int
		latency time.Duration
		want    int
	}{
		{2, 20 * time.Millisecond, 112},   // 2 x 56
		{2, 100 * time.Millisecond, 560},  // 2 x 280
		{4, 150 * time.Millisecond, 1680}, // 4 x 420
		{2, time.Millisecond, 64},         // 2 x ceil(2.8) = 2 x 3, raised to 2 x 32
	} {
		b, _ := fakeClockBudget(c.cores, c.latency)
		b.lastChain.Store(b.now().UnixNano())
		if got := b.limit(); got != c.want {
			t.Errorf("%d cores at %v: limit %d, want %d", c.cores, c.latency, got, c.want)
		}
	}
	// The latency is a moving average of the calls' times: 1/64 of each new one.
	b, _ := fakeClockBudget(2, 20*time.Millisecond)
	b.release(chainPage, true, 84*time.Millisecond)
	if got := time.Duration(b.latency.Load()); got != 21*time.Millisecond {
		t.Errorf("after a call of 84 ms the latency is %v, want 20 + 64/64 = 21 ms", got)
	}
}

// 100 ms after the chain's last page, the budget lifts: waiting calls go in as calls end, and
// new ones do not wait.
func TestCallBudgetLiftsWhenTheChainEnds(t *testing.T) {
	b, now := fullBudget(t)
	waiting := make(chan error, 3)
	for range 3 {
		go func() { waiting <- b.acquire(context.Background(), false) }()
	}
	waitForWaiters(t, b, 3)
	*now = now.Add(150 * time.Millisecond)
	b.release(context.Background(), false, 20*time.Millisecond)
	for range 3 {
		letIn(t, waiting, "a call still waits after the chain ended")
	}
	if !acquireNow(t, b) {
		t.Error("a new call waited after the chain ended")
	}
}

// A call that gives up waiting leaves the queue and takes no place.
func TestCallBudgetWaiterThatGivesUpTakesNoPlace(t *testing.T) {
	b, _ := fullBudget(t)
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- b.acquire(ctx, false) }()
	waitForWaiters(t, b, 1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("the call that gave up got %v, want context.Canceled", err)
	}
	if n := b.waiters(); n != 0 {
		t.Errorf("%d calls still queued after the only waiter gave up", n)
	}
	b.release(context.Background(), false, 20*time.Millisecond)
	if !acquireNow(t, b) {
		t.Error("the place a call freed went to the call that had given up")
	}
}

func (b *callBudget) waiters() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiting)
}

// letIn waits up to a second for a waiting call to be let in without error.
func letIn(t *testing.T, acquired <-chan error, stuck string) {
	t.Helper()
	select {
	case err := <-acquired:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal(stuck)
	}
}

// waitForWaiters waits until n calls are queued.
func waitForWaiters(t *testing.T, b *callBudget, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for b.waiters() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", b.waiters(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// The attempt hook holds a first-page call while the budget is full and a chain is read, and
// lets the chain's own next page through.
func TestAttemptsWaitForTheCallBudget(t *testing.T) {
	b := newCallBudget(1)
	b.latency.Store(int64(20 * time.Millisecond))
	b.lastChain.Store(time.Now().Add(time.Hour).UnixNano()) // a chain is read all test long
	b.inFlight = b.limit()                                  // 1 x ceil(2,800 x 0.020) = 56
	var served atomic.Int64
	svc := servicesWithBudget(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(`{"Grants":[],"Truncated":false}`))
	}, unpaced{}, b)
	key := aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := svc.KMS.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key}); err == nil || served.Load() != 0 {
		t.Fatalf("a first page with the budget full: err %v, %d calls served; want it held until its context ended", err, served.Load())
	}
	if n := b.waiters(); n != 0 {
		t.Errorf("%d calls still queued after the held call gave up", n)
	}
	if _, err := svc.KMS.ListGrants(WithinLongList(context.Background()), &kms.ListGrantsInput{KeyId: key, Marker: aws.String("page3")}); err != nil || served.Load() != 1 {
		t.Fatalf("the chain's next page with the budget full: err %v, %d calls served; want it through", err, served.Load())
	}
}
