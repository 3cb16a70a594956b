package plugin

import (
	"context"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/kmsaudit/cq-source-awskms/internal/scheduler"
	"github.com/rs/zerolog"
)

// AWS meters request quotas per (account, region) pair, so a pair's work in flight must keep its
// quotas busy; memory must not follow the number of pairs. The inventory therefore runs under one
// budget shared by every pair, pair after pair (round-robin: all tables of a pair start
// together), and the CloudTrail table under a scheduler of its own: it waits on LookupEvents' 2
// calls a second per pair, holds one page at a time, and must neither delay the inventory nor
// wait for it.
const (
	// childTablesPerPair bounds a pair's key child tables (grants, policies, rotations) resolved
	// at once: enough for its three 100/s buckets (ListGrants, ListKeyPolicies,
	// ListKeyRotations) at tens of milliseconds of latency.
	childTablesPerPair = 16
	// rowsPerTable bounds the rows of one table of one pair resolved at once (a key row makes two
	// calls: rotation status and tags).
	rowsPerTable = 8
)

// inventoryConcurrency is the number the scheduler derives its shared bounds from: a hundredth of
// it for top-level table runs, half of that for child tables. It gives the pairs admitted at once
// (client.PairsInFlight) their childTablesPerPair each. A larger spec value is kept.
func inventoryConcurrency(spec, pairs int) int {
	return max(spec, 2*100*childTablesPerPair*min(max(pairs, 1), client.PairsInFlight))
}

// admitPair lets a pair's top-level tables run only while the pair is admitted
// (client.AdmitPair): the scheduler admits the pairs in the order the multiplexers list them
// (client.Pairs), all tables of a pair together, and at most client.PairsInFlight at once.
func admitPair(ctx context.Context, meta schema.ClientMeta) (leave func(), err error) {
	return meta.(*client.Client).AdmitPair(ctx)
}

// cloudTrailConcurrency lets every pair's CloudTrail read start at once: each holds a goroutine
// and at most a page of 50 events.
func cloudTrailConcurrency(pairs int) int {
	return 100 * max(pairs, 1)
}

func newInventoryScheduler(logger zerolog.Logger, spec, pairs int) *scheduler.Scheduler {
	return scheduler.NewScheduler(
		scheduler.WithLogger(logger),
		scheduler.WithStrategy(scheduler.StrategyRoundRobin),
		scheduler.WithConcurrency(inventoryConcurrency(spec, pairs)),
		scheduler.WithSingleResourceMaxConcurrency(rowsPerTable),
		scheduler.WithSingleNestedTableMaxConcurrency(childTablesPerPair),
		scheduler.WithAdmission(admitPair),
	)
}

func newCloudTrailScheduler(logger zerolog.Logger, pairs int) *scheduler.Scheduler {
	return scheduler.NewScheduler(
		scheduler.WithLogger(logger),
		scheduler.WithConcurrency(cloudTrailConcurrency(pairs)),
		scheduler.WithSingleResourceMaxConcurrency(rowsPerTable),
	)
}

const grantEventsTable = "aws_kms_grant_events"

// splitCloudTrail separates the CloudTrail table from the inventory's tables.
func splitCloudTrail(tables schema.Tables) (inventory, cloudTrail schema.Tables) {
	for _, t := range tables {
		if t.Name == grantEventsTable {
			cloudTrail = append(cloudTrail, t)
		} else {
			inventory = append(inventory, t)
		}
	}
	return inventory, cloudTrail
}
