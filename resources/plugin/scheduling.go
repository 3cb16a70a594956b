package plugin

import (
	"slices"

	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// AWS meters request quotas per (account, region) pair, so the work in flight is bounded per
// pair: enough to keep that pair's quotas busy, little enough that memory stays bounded by the
// number of pairs, whatever their number of keys or grants.
const (
	// childTablesPerPair bounds a pair's key child tables (grants, policies, rotations) resolved
	// at once. Sixteen keep its three 100/s buckets (ListGrants, ListKeyPolicies,
	// ListKeyRotations) busy at tens of milliseconds of latency, with room for the grant tables
	// that wait for the pair's CloudTrail lineage.
	childTablesPerPair = 16
	// rowsPerTable bounds the rows of one table of one pair resolved at once (a key row makes two
	// calls: rotation status and tags).
	rowsPerTable = 8
)

// schedulerConcurrency is the number the SDK scheduler derives its shared bounds from: rows in
// flight across the sync, a hundredth of it for top-level tables and half of that for child
// tables. A grant table holds its child-table slot while it waits for its pair's CloudTrail
// lineage, minutes where a key has 50,000 grants, so the shared bound must cover every pair's
// childTablesPerPair, or one busy region would stall all the others. A larger spec value is
// kept; the per-pair bounds above are what limit memory.
func schedulerConcurrency(spec, pairs int) int {
	return max(spec, 2*100*childTablesPerPair*pairs)
}

// cloudTrailFirst moves aws_kms_grant_events to the front, as the scheduler starts tables in
// order: its CloudTrail read (2 calls a second) is a pair's longest, and on a first sync it is the
// read the grants' lineage shares, so it must start before the pair's keys.
func cloudTrailFirst(tables schema.Tables) schema.Tables {
	out := slices.Clone(tables)
	slices.SortStableFunc(out, func(a, b *schema.Table) int {
		return boolRank(b.Name == grantEventsTable) - boolRank(a.Name == grantEventsTable)
	})
	return out
}

const grantEventsTable = "aws_kms_grant_events"

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
