package client

import (
	"testing"
	"time"
)

// serveAtCapacity runs workers that call as fast as the limiter lets them against a server whose
// real quota is capacity calls per second (a token bucket holding one second of them, as AWS's),
// each call answered after latency, for span of simulated time. It returns the calls sent and
// those throttled.
func serveAtCapacity(l *RateLimiter, now *time.Time, key CallKey, workers int, capacity float64, latency, span time.Duration) (calls, throttled int) {
	type worker struct {
		at        time.Time
		waiting   bool // for its booked slot; otherwise for the answer
		epoch     uint64
		throttled bool
	}
	b := l.bucket(key)
	start := *now
	tokens, refilled := capacity, start
	book := func(w *worker, at time.Time) { // Wait's first half: book a slot
		w.epoch = b.currentEpoch()
		w.at, w.waiting = at.Add(b.reserve(at)), true
	}
	workersList := make([]worker, workers)
	for i := range workersList {
		book(&workersList[i], start)
	}
	for {
		w := &workersList[0]
		for i := range workersList {
			if workersList[i].at.Before(w.at) {
				w = &workersList[i]
			}
		}
		if w.at.Sub(start) > span {
			return calls, throttled
		}
		*now = w.at
		switch {
		case !w.waiting: // the answer arrives
			l.Done(key, w.throttled)
			book(w, w.at)
		case !b.admit(w.epoch): // Wait's second half: the bucket slowed down meanwhile
			book(w, w.at)
		default: // sent
			tokens = min(capacity, tokens+w.at.Sub(refilled).Seconds()*capacity)
			refilled = w.at
			calls++
			w.throttled = tokens < 1
			if w.throttled {
				throttled++
			} else {
				tokens--
			}
			w.at, w.waiting = w.at.Add(latency), false
		}
	}
}

// TestRateLimiterKeepsThrottlingRareBelowTheDocumentedQuota: when AWS allows only a tenth of the
// documented quota (other callers, or a lower account quota), the bucket settles near what AWS
// allows instead of going back to the quota every few seconds, however many calls wait on it.
func TestRateLimiterKeepsThrottlingRareBelowTheDocumentedQuota(t *testing.T) {
	const capacity = 10 // ListGrants is documented at 100/s
	for _, workers := range []int{1, 16, 64} {
		l, now := testLimiter(t, `{}`)
		calls, throttled := serveAtCapacity(l, now, CallKey{Operation: "ListGrants"}, workers, capacity, 20*time.Millisecond, time.Minute)
		share := float64(throttled) / float64(calls)
		ok := float64(calls-throttled) / time.Minute.Seconds()
		if share > 0.03 {
			t.Errorf("%d workers: %d of %d calls throttled (%.1f%%), want at most 3%%", workers, throttled, calls, 100*share)
		}
		if ok < 0.7*capacity {
			t.Errorf("%d workers: %.1f calls/s went through, want at least 70%% of the %d/s AWS allows", workers, ok, capacity)
		}
	}
}

func TestRateLimiterClimbsBackToTheThrottledRateThenProbesSlowly(t *testing.T) {
	l, now := testLimiter(t, `{}`)
	key := CallKey{Operation: "ListGrants"}
	b := l.bucket(key)
	l.Done(key, true) // at 100/s: down to 50, ceiling 100
	*now = now.Add(recoveryTime / 2)
	if r := b.rateAt(*now); r != 75 {
		t.Fatalf("half way back to 100: %v, want 75", r)
	}
	l.Done(key, true) // throttled again at 75: 75 is the new ceiling
	steps := []struct {
		after time.Duration
		want  float64
	}{
		{0, 37.5},
		{recoveryTime, 75},
		{2 * recoveryTime, 75 * (1 + probeGrowth)},
		{100 * recoveryTime, 100},
	}
	start := *now
	for _, s := range steps {
		if r := b.rateAt(start.Add(s.after)); r != s.want {
			t.Errorf("%v after the second throttle: rate %v, want %v", s.after, r, s.want)
		}
	}
}

func TestRateLimiterCountsThrottlesOfCallsSentBeforeTheSlowDownOnce(t *testing.T) {
	l, _ := testLimiter(t, `{}`)
	key := CallKey{Operation: "ListGrants"}
	b := l.bucket(key)
	for range 3 {
		if !b.admit(b.currentEpoch()) {
			t.Fatal("a call booked in the current epoch was refused")
		}
	}
	l.Done(key, true)
	l.Done(key, true) // the two others were sent at 100/s too: nothing new
	l.Done(key, true)
	if r := b.rateAt(l.now()); r != 50 {
		t.Errorf("three throttled calls sent together: rate %v, want 50 (one slow-down)", r)
	}
	l.Done(key, true) // nothing was in flight any more: a call sent at 50/s was throttled
	if r := b.rateAt(l.now()); r != 25 {
		t.Errorf("a throttle after the echoes: rate %v, want 25", r)
	}
}

func TestRateLimiterRebooksCallsWaitingAtTheOldRate(t *testing.T) {
	l, _ := testLimiter(t, `{}`)
	key := CallKey{Operation: "ListGrants"}
	b := l.bucket(key)
	epoch := b.currentEpoch()
	for range 50 {
		b.reserve(l.now()) // slots up to 0.39 s ahead at 100/s
	}
	l.Done(key, true)
	if b.admit(epoch) {
		t.Error("a call booked before the slow-down went at the old rate")
	}
	// Booking again: the slots of the old rate are void, the new ones are 20 ms apart (50/s),
	// with no burst right after a throttle.
	if d := lastDelay(l, key, 6); !near(d, 100*time.Millisecond) {
		t.Errorf("6th call after the slow-down waits %v, want 0.1s", d)
	}
}

// TestRateLimiterLetsALateCallerCatchUpOneSlot: at 2/s, a caller busy elsewhere when its slot
// came (handing on the previous page) may still use it, as AWS's bucket holds a second of quota;
// without it a LookupEvents chain would lose every late slot.
func TestRateLimiterLetsALateCallerCatchUpOneSlot(t *testing.T) {
	l, now := testLimiter(t, `{}`)
	key := CallKey{Operation: "LookupEvents"}
	b := l.bucket(key)
	b.reserve(*now) // a fresh bucket's burst
	b.reserve(*now) // on time; the next slot is 0.5 s later
	*now = now.Add(900 * time.Millisecond)
	if d := b.reserve(*now); d > 0 {
		t.Errorf("the slot missed by 0.4 s waits %v, want none", d)
	}
	if d := b.reserve(*now); !near(d, 100*time.Millisecond) {
		t.Errorf("the next call waits %v, want 0.1 s (2/s kept on average)", d)
	}
}
