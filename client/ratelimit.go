package client

import (
	"context"
	"sync"
	"time"
)

const (
	// burstWindow is how much unused quota a bucket may spend at once: 100 ms, or one call where
	// calls are further apart (up to the second AWS's own buckets hold), so that a slow bucket's
	// caller (LookupEvents, 2/s) late for its slot can still use it.
	burstWindow    = 100 * time.Millisecond
	maxBurstWindow = time.Second
	// throttleBackoff is the factor a bucket's rate drops by when AWS throttles it.
	throttleBackoff = 0.5
	// minRateShare is the lowest a bucket is slowed to, as a share of its quota.
	minRateShare = 0.05
	// recoveryTime is how long a slowed bucket takes to climb back to the rate it was throttled at.
	recoveryTime = 5 * time.Second
	// followUpJump is how far ahead of the calls already waiting for a bucket a follow-up page
	// may go (see reserveFollowUp): within the second in which AWS counts a quota.
	followUpJump = burstWindow
	// probeGrowth is how fast a bucket climbs beyond the rate it was throttled at, towards its
	// quota: by this share of that rate every recoveryTime. Slow, because that rate was too high
	// a moment ago (other callers, or a quota lower than documented).
	probeGrowth = 0.1
)

// RateLimiter paces calls with one bucket per (account, region, operation), at the quota AWS
// applies there, and slows a bucket down when AWS throttles it anyway (other callers share the
// quota): it halves, climbs back to the rate it was throttled at, then probes beyond it slowly.
type RateLimiter struct {
	spec    *Spec
	now     func() time.Time
	mu      sync.Mutex
	buckets map[CallKey]*bucket
	// nextSweep is the number of buckets at which idle ones are forgotten (sweep).
	nextSweep int
}

// NewRateLimiter returns a Pacer for the spec's quotas.
func NewRateLimiter(spec *Spec) *RateLimiter {
	return &RateLimiter{spec: spec, now: time.Now, buckets: map[CallKey]*bucket{}, nextSweep: minSweep}
}

type bucket struct {
	mu        sync.Mutex
	quota     float64   // calls per second when AWS is not throttling us
	ceiling   float64   // the rate AWS throttled last; the bucket climbs back to it quickly
	slowRate  float64   // rate right after the last throttle
	slowSince time.Time // when the last throttle was seen; zero if never
	next      time.Time // when the next call may start
	// followUp is when the next follow-up page may start (reserveFollowUp).
	followUp time.Time
	// epoch counts slow-downs: a call whose slot was booked in an earlier epoch books again.
	epoch uint64
	// inFlight counts calls between Wait and Done; echoes are the throttles still to come from
	// calls that were in flight when the bucket slowed down: sent at the old rate, they say
	// nothing new and are not counted again.
	inFlight int
	echoes   int
}

func (b *bucket) currentEpoch() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch
}

// admit lets a call go whose slot was booked in epoch, unless the bucket slowed down since.
func (b *bucket) admit(epoch uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if epoch != b.epoch {
		return false
	}
	b.inFlight++
	return true
}

func (l *RateLimiter) bucket(key CallKey) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.nextSweep {
			l.sweep(l.now())
		}
		b = &bucket{quota: quotaFor(l.spec, key.Operation)}
		l.buckets[key] = b
	}
	return b
}

// A bucket is kept per (account, region, operation), so a sync of thousands of account-regions
// would keep tens of thousands after their pairs finished. sweep forgets the buckets that are
// idle: nothing in flight, no slot booked since bucketIdle ago, no throttle to remember (a new
// bucket starts at the quota, as an idle one would). It runs when the map has doubled since the
// last sweep, so its cost per new bucket is constant. Called with l.mu held.
func (l *RateLimiter) sweep(now time.Time) {
	for key, b := range l.buckets {
		b.mu.Lock()
		// reserveFollowUp books no slot after next, and a throttle voids the slots booked
		// before it (epoch): whether anything is still booked, next tells.
		idle := b.inFlight == 0 && now.Sub(b.next) > bucketIdle &&
			(b.slowSince.IsZero() || now.Sub(b.slowSince) > 2*recoveryTime)
		b.mu.Unlock()
		if idle {
			delete(l.buckets, key)
		}
	}
	l.nextSweep = max(minSweep, 2*len(l.buckets))
}

const (
	// bucketIdle is how long a bucket with nothing booked is kept.
	bucketIdle = 10 * time.Second
	// minSweep is the fewest buckets swept for.
	minSweep = 1024
)

// Wait blocks until the call's bucket allows it, or ctx ends.
func (l *RateLimiter) Wait(ctx context.Context, key CallKey) error {
	b := l.bucket(key)
	if b.quota <= 0 {
		return nil
	}
	reserve := b.reserve
	if IsFollowUpPage(ctx) {
		reserve = b.reserveFollowUp
	}
	for {
		epoch := b.currentEpoch()
		if err := sleep(ctx, reserve(l.now())); err != nil {
			return err
		}
		if b.admit(epoch) {
			return nil
		}
		// The bucket slowed down while this call waited for a slot booked at the old rate.
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
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
	b := l.bucket(key)
	if b.quota <= 0 {
		return
	}
	now := l.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight = max(0, b.inFlight-1)
	if throttled {
		b.throttled(now)
	}
}

// throttled halves the bucket's rate. The rate it had climbed back to becomes its ceiling, except
// for throttles at the very instant of the last one, which belong to the same burst.
func (b *bucket) throttled(now time.Time) {
	if b.echoes > 0 {
		b.echoes--
		return
	}
	rate := b.rateAt(now)
	if b.slowSince.IsZero() || now.After(b.slowSince) {
		b.ceiling = rate
	}
	b.slowRate = max(rate*throttleBackoff, b.quota*minRateShare)
	b.slowSince = now
	b.echoes = b.inFlight
	// Slots booked at the old rate are void: their calls book again at the new one.
	b.epoch++
	b.next = now
}

// reserve books the next slot and returns how long to wait for it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.book(now)
}

// interval is the time between two slots at the bucket's rate. Called with b.mu held.
func (b *bucket) interval(now time.Time) time.Duration {
	return time.Duration(float64(time.Second) / b.rateAt(now))
}

// book takes the next slot at the end of the queue. Called with b.mu held.
func (b *bucket) book(now time.Time) time.Duration {
	interval := b.interval(now)
	if earliest := now.Add(-max(burstWindow, min(interval, maxBurstWindow))); b.next.Before(earliest) {
		b.next = earliest
	}
	slot := b.next
	b.next = slot.Add(interval)
	return slot.Sub(now)
}

// reserveFollowUp books a slot for a list's next page. A list read page after page is a chain of
// calls, each waiting for the one before; when the bucket is busy with the first pages of other
// lists (every key's ListGrants), queueing each page of a long list behind them would stretch the
// chain by the queue's length at every page. A follow-up page therefore goes ahead of the calls
// already waiting, by at most followUpJump, at most one a slot; the calls it passed start one
// slot later, so the bucket's rate over a second is the same.
func (b *bucket) reserveFollowUp(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.next.After(now) {
		return b.book(now) // nobody waits: no one to pass
	}
	interval := b.interval(now)
	slot := now
	if jumpLimit := b.next.Add(-followUpJump); slot.Before(jumpLimit) {
		slot = jumpLimit
	}
	if slot.Before(b.followUp) {
		slot = b.followUp
	}
	if !slot.Before(b.next) {
		// No better than the queue's end: take that slot.
		slot = b.next
		b.next = slot.Add(interval)
	} else {
		b.next = b.next.Add(interval)
	}
	b.followUp = slot.Add(interval)
	return slot.Sub(now)
}

// rateAt is the bucket's rate: its quota, or on the way back to it after a throttle: linearly
// to the ceiling within recoveryTime, then beyond it by probeGrowth of it per recoveryTime.
func (b *bucket) rateAt(now time.Time) float64 {
	if b.slowSince.IsZero() {
		return b.quota
	}
	progress := float64(now.Sub(b.slowSince)) / float64(recoveryTime)
	if progress < 1 {
		return b.slowRate + (b.ceiling-b.slowRate)*progress
	}
	return min(b.quota, b.ceiling*(1+probeGrowth*(progress-1)))
}
