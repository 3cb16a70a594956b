package plugin

import (
	"context"
	"fmt"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"
	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/kmsaudit/cq-source-awskms/internal/scheduler"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// Client is the plugin's source client: it owns the table list, the scheduler and the AWS client.
type Client struct {
	plugin.UnimplementedDestination
	logger zerolog.Logger
	tables schema.Tables
	// inventory syncs every table but the CloudTrail one, which cloudTrail syncs beside it.
	inventory, cloudTrail *scheduler.Scheduler
	aws                   *client.Client
}

// Configure parses the spec and discovers the accounts and regions. The `doc` and `package`
// commands call it with no spec and NoConnection, to read the tables only.
func Configure(ctx context.Context, logger zerolog.Logger, specBytes []byte, opts plugin.NewClientOptions) (plugin.Client, error) {
	c := &Client{logger: logger, tables: Tables()}
	if opts.NoConnection {
		return c, nil
	}
	spec, err := client.ParseSpec(specBytes)
	if err != nil {
		return nil, err
	}
	tuneGC()
	c.aws, err = client.New(ctx, logger, spec, client.NewRateLimiter(spec))
	if err != nil {
		return nil, err
	}
	pairs := len(c.aws.Pairs())
	c.inventory = newInventoryScheduler(logger, *spec.Concurrency, pairs)
	c.cloudTrail = newCloudTrailScheduler(logger, pairs)
	return c, nil
}

func (c *Client) Tables(_ context.Context, opts plugin.TableOptions) (schema.Tables, error) {
	return c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
}

func (c *Client) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	if c.aws == nil {
		return fmt.Errorf("sync needs a configured client")
	}
	tables, err := c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return err
	}
	stateClient, err := state.NewConnectedClient(ctx, opts.BackendOptions)
	if err != nil {
		return fmt.Errorf("connecting to the state backend (backend_options): %w", err)
	}
	defer stateClient.Close()
	c.aws.State = stateClient
	c.aws.OrderPairsByLastSync(ctx)
	c.aws.LoadLongGrantLists(ctx)
	inventory, cloudTrail := splitCloudTrail(tables)
	if len(cloudTrail) > 0 && opts.BackendOptions == nil {
		c.logger.Warn().Int("lookback_days", c.aws.Spec.GrantEventsLookbackDays).Int("account_regions", len(c.aws.Pairs())).Msg(noStateBackendWarning)
	}
	err = c.syncBoth(ctx, inventory, cloudTrail, res, scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID))
	logSummary(c.logger, c.aws)
	if err != nil {
		return err
	}
	if err := c.aws.SavePairTimes(ctx); err != nil {
		return fmt.Errorf("saving the account-regions' times to the state backend: %w", err)
	}
	if err := c.aws.SaveLongGrantLists(ctx); err != nil {
		return fmt.Errorf("saving the keys' long grant lists to the state backend: %w", err)
	}
	// Cursors are saved only after every row was handed on, so a failed sync re-reads.
	if err := stateClient.Flush(ctx); err != nil {
		return fmt.Errorf("saving incremental cursors to the state backend: %w", err)
	}
	return nil
}

// syncBoth runs the inventory and the CloudTrail table side by side, each scheduler sending its
// records into res.
func (c *Client) syncBoth(ctx context.Context, inventory, cloudTrail schema.Tables, res chan<- message.SyncMessage, opts ...scheduler.SyncOption) error {
	// Not errgroup.WithContext: one scheduler's end must not cut the other short.
	var g errgroup.Group
	for _, run := range []struct {
		s      *scheduler.Scheduler
		tables schema.Tables
	}{{c.inventory, inventory}, {c.cloudTrail, cloudTrail}} {
		if len(run.tables) > 0 {
			g.Go(func() error { return run.s.Sync(ctx, c.aws, run.tables, res, opts...) })
		}
	}
	return g.Wait()
}

// noStateBackendWarning is logged once at the start of a sync of aws_kms_grant_events without
// backend_options.
const noStateBackendWarning = "aws_kms_grant_events has no state backend (backend_options): every sync reads CloudTrail's whole lookback window again, " +
	"at LookupEvents' 2 calls a second per account-region (50 events a call: ~25 minutes per 150,000 events); " +
	"with backend_options a sync reads only the events since the last one, and the table keeps every event ever read"

func (*Client) Close(context.Context) error { return nil }
