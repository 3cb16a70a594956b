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

// admitted copies the inventory's tables so that each top-level table runs only while its pair is
// admitted (client.AdmitPair): the pairs start in turn, all tables of a pair together, and at
// most client.PairsInFlight run at once.
func admitted(tables schema.Tables) schema.Tables {
	out := make(schema.Tables, len(tables))
	for i, t := range tables {
		t = t.Copy(nil)
		resolve := t.Resolver
		t.Resolver = func(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
			leave, err := meta.(*client.Client).AdmitPair(ctx)
			if err != nil {
				return err
			}
			defer leave()
			return resolve(ctx, meta, parent, res)
		}
		out[i] = t
	}
	return out
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
