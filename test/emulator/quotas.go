package emulator

import (
	"sync"
	"time"
)

// defaultQuotas are AWS's documented request quotas per second, per account
// and region (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
// This table is the tests' one copy of them: the benchmark computes its
// minimums from DocumentedQuotas. The plugin keeps its own (client/quotas.go)
// and never imports the emulator, so the emulator stays the referee of the
// plugin's pacing rather than an echo of it.
var defaultQuotas = map[string]float64{
	"kms:ListGrants":           100,
	"kms:ListKeyRotations":     100,
	"kms:ListKeyPolicies":      100,
	"kms:ListKeys":             500,
	"kms:ListAliases":          500,
	"kms:GetKeyPolicy":         1000,
	"kms:GetKeyRotationStatus": 1000,
	"kms:DescribeKey":          2000,
	"kms:ListResourceTags":     2000,
	"cloudtrail:LookupEvents":  2,
}

// DocumentedQuotas returns a copy of AWS's documented quotas per second, per
// account and region, keyed "service:Operation": what a Server enforces at
// scale 1 without overrides.
func DocumentedQuotas() map[string]float64 {
	out := make(map[string]float64, len(defaultQuotas))
	for op, q := range defaultQuotas {
		out[op] = q
	}
	return out
}

// quotaLimiter holds one token bucket per (account, region, operation). A
// bucket holds one second of requests, as AWS allows short bursts.
type quotaLimiter struct {
	mu      sync.Mutex
	rates   map[string]float64
	buckets map[StatKey]*tokenBucket
	now     func() time.Time
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newQuotaLimiter(cfg QuotaConfig) *quotaLimiter {
	scale := cfg.Scale
	if scale <= 0 {
		scale = 1
	}
	rates := map[string]float64{}
	for op, rate := range defaultQuotas {
		rates[op] = rate * scale
	}
	for op, rate := range cfg.PerSecond {
		rates[op] = rate * scale
	}
	return &quotaLimiter{rates: rates, buckets: map[StatKey]*tokenBucket{}, now: time.Now}
}

// allow takes a token for the call, false when the quota is exhausted.
func (q *quotaLimiter) allow(k StatKey) bool {
	rate, limited := q.rates[k.Operation]
	if !limited {
		return true
	}
	burst := max(rate, 1)
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	b := q.buckets[k]
	if b == nil {
		b = &tokenBucket{tokens: burst, last: now}
		q.buckets[k] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
