package client

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
)

func testLimiter(t *testing.T, specJSON string) (*RateLimiter, *time.Time) {
	t.Helper()
	spec, err := ParseSpec([]byte(specJSON))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	l := NewRateLimiter(spec)
	l.now = func() time.Time { return now }
	return l, &now
}

// lastDelay books n calls at one instant and returns the wait of the last one.
func lastDelay(l *RateLimiter, key CallKey, n int) time.Duration {
	b := l.bucket(key)
	var d time.Duration
	for i := 0; i < n; i++ {
		d = b.reserve(l.now())
	}
	return d
}

func near(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= float64(time.Millisecond)
}

func TestRateLimiterPacesAtTheDocumentedQuota(t *testing.T) {
	l, _ := testLimiter(t, `{}`)
	grants := CallKey{Account: "1", Region: "r", Service: "KMS", Operation: "ListGrants"}
	// 100/s with 100 ms of burst: 10 calls go at once, call 200 waits 1.99 s - 0.1 s.
	if d := lastDelay(l, grants, 200); !near(d, 1890*time.Millisecond) {
		t.Errorf("200th ListGrants waits %v, want 1.89s", d)
	}
	describe := CallKey{Account: "1", Region: "r", Service: "KMS", Operation: "DescribeKey"}
	if d := lastDelay(l, describe, 200); !near(d, 0) {
		t.Errorf("200 DescribeKey (2000/s, burst 200) wait %v, want 0", d)
	}
	other := CallKey{Account: "2", Region: "r", Service: "KMS", Operation: "ListGrants"}
	if d := lastDelay(l, other, 1); d > 0 {
		t.Errorf("another account's bucket is shared: waits %v", d)
	}
	if err := l.Wait(context.Background(), CallKey{Operation: "DescribeClusters"}); err != nil {
		t.Errorf("unpaced operation: %v", err)
	}
}

func TestRateLimiterHonoursQuotaShareAndOverrides(t *testing.T) {
	l, _ := testLimiter(t, `{"quota_share": 0.5, "rate_limits": {"ListKeys": 10}}`)
	if d := lastDelay(l, CallKey{Operation: "ListGrants"}, 101); !near(d, 1900*time.Millisecond) {
		t.Errorf("ListGrants at half quota: call 101 waits %v, want 1.9s", d)
	}
	if d := lastDelay(l, CallKey{Operation: "ListKeys"}, 11); !near(d, 900*time.Millisecond) {
		t.Errorf("ListKeys overridden to 10/s: call 11 waits %v, want 0.9s", d)
	}
}

func TestRateLimiterSlowsDownOnThrottlingAndRecovers(t *testing.T) {
	l, now := testLimiter(t, `{}`)
	key := CallKey{Operation: "ListGrants"}
	b := l.bucket(key)
	l.Done(key, true)
	if r := b.rateAt(*now); r != 50 {
		t.Errorf("rate after a throttle %v, want 50", r)
	}
	l.Done(key, true)
	if r := b.rateAt(*now); r != 25 {
		t.Errorf("rate after two throttles %v, want 25", r)
	}
	for i := 0; i < 10; i++ {
		l.Done(key, true)
	}
	if r := b.rateAt(*now); r != 5 {
		t.Errorf("rate never drops below 5%% of the quota: got %v", r)
	}
	*now = now.Add(recoveryTime / 2)
	if r := b.rateAt(*now); r != 52.5 {
		t.Errorf("half way through recovery rate %v, want 52.5", r)
	}
	*now = now.Add(recoveryTime)
	if r := b.rateAt(*now); r != 100 {
		t.Errorf("recovered rate %v, want 100", r)
	}
	l.Done(key, false)
	if r := b.rateAt(*now); r != 100 {
		t.Errorf("a success changed the rate to %v", r)
	}
}

func TestRateLimiterWaitEndsWithContext(t *testing.T) {
	spec, _ := ParseSpec([]byte(`{"rate_limits": {"LookupEvents": 0.001}}`))
	l := NewRateLimiter(spec)
	key := CallKey{Operation: "LookupEvents"}
	_ = l.Wait(context.Background(), key) // spends the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, key); err != context.DeadlineExceeded {
		t.Errorf("Wait returned %v, want the context's error", err)
	}
}

// Buckets of finished account-regions are forgotten, so the limiter's memory follows the pairs
// at work, not all the sync has seen; a bucket still busy or recently throttled is kept.
func TestRateLimiterForgetsIdleBuckets(t *testing.T) {
	l, now := testLimiter(t, `{}`)
	key := func(i int) CallKey {
		return CallKey{Account: fmt.Sprint(i), Region: "r", Service: "KMS", Operation: "ListGrants"}
	}
	busy, throttled := key(-1), key(-2)
	l.bucket(busy).reserve(*now)
	_ = l.Wait(context.Background(), busy) // in flight: never Done
	l.bucket(throttled).reserve(*now)
	for i := range minSweep - 2 { // with busy and throttled: minSweep buckets, no sweep yet
		l.bucket(key(i)).reserve(*now)
	}
	*now = now.Add(bucketIdle + time.Second)
	l.Done(throttled, true) // throttled just now: its slow-down must be remembered
	l.bucket(key(minSweep)) // a new bucket with the map full: a sweep runs
	if got := len(l.buckets); got != 3 {
		t.Errorf("%d buckets after the sweep, want 3 (the busy one, the throttled one, the new one)", got)
	}
	for _, k := range []CallKey{busy, throttled} {
		if _, ok := l.buckets[k]; !ok {
			t.Errorf("bucket %s was forgotten", k.Account)
		}
	}
}
