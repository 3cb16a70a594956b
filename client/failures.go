package client

import (
	"fmt"
	"sort"
	"sync"
)

// failureKey groups failures the way the end-of-sync summary reports them.
type failureKey struct {
	Table, Account, Region, Operation, Code string
}

// Failures aggregates per-resource failures (a denied call on one key, a key that vanished) so
// that each kind is reported once per table, account and region instead of once per key.
type Failures struct {
	mu     sync.Mutex
	counts map[failureKey]int
	sample map[failureKey]string
}

// Record counts a failure of operation on resource. It returns an error the first time a kind
// of failure is seen, for the scheduler's error count, and nil after that.
func (c *Client) RecordFailure(table, operation, resource string, err error) error {
	f := c.failures
	key := failureKey{Table: table, Account: c.AccountID, Region: c.Region, Operation: operation, Code: ErrorCode(err)}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[key]++
	if f.counts[key] > 1 {
		return nil
	}
	f.sample[key] = resource
	return fmt.Errorf("%s on %s: %w (further %s errors of this table, account and region are counted in the summary at the end of the sync)", operation, resource, err, key.Code)
}

// allRegions is the region of a failure recorded once per account.
const allRegions = "*"

// RecordAccountFailure counts a failure that holds in every region of the account, such as a
// service an SCP denies: it returns an error the first time the account sees it, whatever the
// region, and nil after that, so a denied service counts once per account, not once per region.
func (c *Client) RecordAccountFailure(table, operation string, err error) error {
	f := c.failures
	key := failureKey{Table: table, Account: c.AccountID, Region: allRegions, Operation: operation, Code: ErrorCode(err)}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[key]++
	if f.counts[key] > 1 {
		return nil
	}
	f.sample[key] = c.Region
	return fmt.Errorf("%s in account %s: %w (the same refusal in the account's other regions is counted in the summary at the end of the sync)", operation, c.AccountID, err)
}

// FailureCount is one row of the end-of-sync failure summary.
type FailureCount struct {
	Table, Account, Region, Operation, Code, Example string
	Count                                            int
}

// Summary lists the recorded failures, sorted.
func (f *Failures) Summary() []FailureCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FailureCount, 0, len(f.counts))
	for k, n := range f.counts {
		out = append(out, FailureCount{Table: k.Table, Account: k.Account, Region: k.Region, Operation: k.Operation, Code: k.Code, Example: f.sample[k], Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return fmt.Sprint(a.Table, a.Account, a.Region, a.Operation, a.Code) < fmt.Sprint(b.Table, b.Account, b.Region, b.Operation, b.Code)
	})
	return out
}

func newFailures() *Failures {
	return &Failures{counts: map[failureKey]int{}, sample: map[failureKey]string{}}
}
