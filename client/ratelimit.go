package client

import (
	"context"
	"sync"
	"time"
)

const (
	// burstWindow is how much unused quota a bucket may spend at once.
	burstWindow = 100 * time.Millisecond
	// throttleBackoff is the factor a bucket's rate drops by when AWS throttles it.
	throttleBackoff = 0.5
	// minRateShare is the lowest a bucket is slowed to, as a share of its quota.
	minRateShare = 0.05
	// recoveryTime is how long a slowed bucket takes to climb back to its quota.
	recoveryTime = 5 * time.Second
)

// RateLimiter paces calls with one bucket per (account, region, operation), at the quota AWS
// applies there, and slows a bucket down when AWS throttles it anyway (other callers share the
// quota) before recovering linearly.
type RateLimiter struct {
	spec    *Spec
	now     func() time.Time
	mu      sync.Mutex
	buckets map[CallKey]*bucket
}

// NewRateLimiter returns a Pacer for the spec's quotas.
func NewRateLimiter(spec *Spec) *RateLimiter {
	return &RateLimiter{spec: spec, now: time.Now, buckets: map[CallKey]*bucket{}}
}

type bucket struct {
	mu        sync.Mutex
	quota     float64   // calls per second when AWS is not throttling us
	slowRate  float64   // rate right after the last throttle
	slowSince time.Time // when the last throttle was seen; zero if never
	next      time.Time // when the next call may start
}

func (l *RateLimiter) bucket(key CallKey) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{quota: quotaFor(l.spec, key.Operation)}
		l.buckets[key] = b
	}
	return b
}

// Wait blocks until the call's bucket allows it, or ctx ends.
func (l *RateLimiter) Wait(ctx context.Context, key CallKey) error {
	b := l.bucket(key)
	if b.quota <= 0 {
		return nil
	}
	delay := b.reserve(l.now())
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done tells the bucket how the attempt went; a throttled attempt slows it down.
func (l *RateLimiter) Done(key CallKey, throttled bool) {
	if !throttled {
		return
	}
	b := l.bucket(key)
	if b.quota <= 0 {
		return
	}
	now := l.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.slowRate = max(b.rateAt(now)*throttleBackoff, b.quota*minRateShare)
	b.slowSince = now
}

// reserve books the next slot and returns how long to wait for it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	interval := time.Duration(float64(time.Second) / b.rateAt(now))
	if earliest := now.Add(-burstWindow); b.next.Before(earliest) {
		b.next = earliest
	}
	slot := b.next
	b.next = slot.Add(interval)
	return slot.Sub(now)
}

// rateAt is the bucket's rate: its quota, or on the way back to it after a throttle.
func (b *bucket) rateAt(now time.Time) float64 {
	if b.slowSince.IsZero() {
		return b.quota
	}
	progress := float64(now.Sub(b.slowSince)) / float64(recoveryTime)
	if progress >= 1 {
		return b.quota
	}
	return b.slowRate + (b.quota-b.slowRate)*progress
}
