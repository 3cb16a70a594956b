package client

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// CallKey is the unit AWS meters request quotas by: one operation in one account and region.
type CallKey struct {
	Account   string
	Region    string
	Service   string
	Operation string
}

// Pacer is consulted around every attempt of every AWS call, so that client-side rate limits
// can hold a call back before it is sent and learn from throttling answers.
type Pacer interface {
	Wait(ctx context.Context, key CallKey) error
	Done(key CallKey, throttled bool)
}

// unpaced lets every call through at once.
type unpaced struct{}

func (unpaced) Wait(context.Context, CallKey) error { return nil }
func (unpaced) Done(CallKey, bool)                  {}

// CallStats counts attempts per service operation, over every account and region (the sync ends
// with a summary per operation); counters per account-region would grow with the organization.
type CallStats struct{ counters sync.Map }

// CallCount is one row of a CallStats snapshot.
type CallCount struct {
	CallKey
	Attempts  uint64
	Throttled uint64
	Failed    uint64
}

type callCounters struct{ attempts, throttled, failed atomic.Uint64 }

func (s *CallStats) record(key CallKey, err error) (throttled bool) {
	key = CallKey{Service: key.Service, Operation: key.Operation}
	v, ok := s.counters.Load(key)
	if !ok {
		v, _ = s.counters.LoadOrStore(key, &callCounters{})
	}
	c := v.(*callCounters)
	c.attempts.Add(1)
	if err == nil {
		return false
	}
	c.failed.Add(1)
	throttled = isThrottle(err)
	if throttled {
		c.throttled.Add(1)
	}
	return throttled
}

// Snapshot returns the counters sorted by service and operation (Account and Region are empty).
func (s *CallStats) Snapshot() []CallCount {
	var out []CallCount
	s.counters.Range(func(k, v any) bool {
		c := v.(*callCounters)
		out = append(out, CallCount{CallKey: k.(CallKey), Attempts: c.attempts.Load(), Throttled: c.throttled.Load(), Failed: c.failed.Load()})
		return true
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].CallKey, out[j].CallKey
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Operation < b.Operation
	})
	return out
}

// ByOperation sums the counters per service operation over all accounts and regions.
func (s *CallStats) ByOperation() map[string]CallCount {
	out := map[string]CallCount{}
	for _, c := range s.Snapshot() {
		name := c.Service + "." + c.Operation
		sum := out[name]
		sum.Service, sum.Operation = c.Service, c.Operation
		sum.Attempts += c.Attempts
		sum.Throttled += c.Throttled
		sum.Failed += c.Failed
		out[name] = sum
	}
	return out
}

func isThrottle(err error) bool {
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}
