package plugin

import (
	"context"
	"fmt"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/scheduler"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"
	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/rs/zerolog"
)

// Client is the plugin's source client: it owns the table list, the scheduler and the AWS client.
type Client struct {
	plugin.UnimplementedDestination
	logger    zerolog.Logger
	tables    schema.Tables
	scheduler *scheduler.Scheduler
	aws       *client.Client
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
	c.scheduler = scheduler.NewScheduler(
		scheduler.WithLogger(logger),
		scheduler.WithConcurrency(schedulerConcurrency(*spec.Concurrency, len(c.aws.Pairs()))),
		scheduler.WithSingleResourceMaxConcurrency(rowsPerTable),
		scheduler.WithSingleNestedTableMaxConcurrency(childTablesPerPair),
	)
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
	err = c.scheduler.Sync(ctx, c.aws, cloudTrailFirst(tables), res, scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID))
	logSummary(c.logger, c.aws)
	if err != nil {
		return err
	}
	// Cursors are saved only after every row was handed on, so a failed sync re-reads.
	if err := stateClient.Flush(ctx); err != nil {
		return fmt.Errorf("saving incremental cursors to the state backend: %w", err)
	}
	return nil
}

func (*Client) Close(context.Context) error { return nil }
