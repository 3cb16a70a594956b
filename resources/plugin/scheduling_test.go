package plugin

import (
	"slices"
	"testing"

	"github.com/kmsaudit/cq-source-awskms/client"
)

func TestCloudTrailTableRunsApart(t *testing.T) {
	inventory, cloudTrail := splitCloudTrail(Tables())
	if len(cloudTrail) != 1 || cloudTrail[0].Name != "aws_kms_grant_events" {
		t.Fatalf("CloudTrail tables = %v, want aws_kms_grant_events alone", cloudTrail.TableNames())
	}
	if slices.Contains(inventory.TableNames(), "aws_kms_grant_events") || len(inventory)+1 != len(Tables()) {
		t.Errorf("inventory tables = %v, want every other table", inventory.TableNames())
	}
}

// The SDK scheduler shares one bound on child tables across all account-regions: a hundredth
// of its concurrency, halved for the first level of children. Up to client.PairsInFlight pairs get
// childTablesPerPair each; beyond that the budget stays the same, so memory does not follow the
// number of pairs.
func TestInventoryBudgetIsFlatInPairs(t *testing.T) {
	childSlots := func(pairs int) int { return inventoryConcurrency(10000, pairs) / 100 / 2 }
	for _, pairs := range []int{1, 7, client.PairsInFlight, 30} {
		admitted := min(pairs, client.PairsInFlight)
		if got := childSlots(pairs); got < admitted*16 {
			t.Errorf("%d pairs: %d shared child-table slots, want at least %d", pairs, got, admitted*16)
		}
	}
	if childSlots(2000) != childSlots(50) || childSlots(50) > client.PairsInFlight*16 {
		t.Errorf("child-table slots: %d for 50 pairs, %d for 2,000: want the same, at most %d", childSlots(50), childSlots(2000), client.PairsInFlight*16)
	}
	if got := inventoryConcurrency(1_000_000, 2); got != 1_000_000 {
		t.Errorf("a larger spec concurrency is kept: got %d", got)
	}
	if got := cloudTrailConcurrency(700) / 100; got < 700 {
		t.Errorf("CloudTrail table runs at once for 700 pairs: %d, want every pair's", got)
	}
}
