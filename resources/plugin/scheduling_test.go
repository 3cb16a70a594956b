package plugin

import (
	"testing"
)

func TestCloudTrailTableStartsFirst(t *testing.T) {
	tables := Tables()
	before := tables[0].Name
	ordered := cloudTrailFirst(tables)
	if ordered[0].Name != grantEventsTable {
		t.Fatalf("first table %s, want %s", ordered[0].Name, grantEventsTable)
	}
	var rest []string
	for _, tb := range tables {
		if tb.Name != grantEventsTable {
			rest = append(rest, tb.Name)
		}
	}
	for i, name := range rest {
		if ordered[i+1].Name != name {
			t.Errorf("table %d is %s, want %s: the others keep their order", i+1, ordered[i+1].Name, name)
		}
	}
	if tables[0].Name != before {
		t.Error("the caller's table list was reordered in place")
	}
}

// The SDK scheduler shares one bound on child tables across all account-regions: a hundredth
// of its concurrency, halved for the first level of children. Each pair must get its own
// childTablesPerPair of them, whatever the spec's (default) concurrency.
func TestEveryPairGetsItsOwnChildTableSlots(t *testing.T) {
	for _, pairs := range []int{1, 30, 500} {
		shared := schedulerConcurrency(10000, pairs) / 100 / 2
		if shared < pairs*childTablesPerPair {
			t.Errorf("%d pairs: %d shared child-table slots, want at least %d", pairs, shared, pairs*childTablesPerPair)
		}
	}
	if got := schedulerConcurrency(1_000_000, 2); got != 1_000_000 {
		t.Errorf("a larger spec concurrency is kept: got %d", got)
	}
}
