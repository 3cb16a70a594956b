// Package testsource is a tiny CloudQuery source plugin ("pgtestsrc") whose only job is to drive the
// pgtest destination through the real CloudQuery CLI in tests: a parent/child pair of tables with
// list, JSON and timestamp columns, and an incremental table whose cursor lives in the state backend.
// What it emits depends only on spec.generation (see fixtures.go).
package testsource

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/scheduler"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"
	"github.com/rs/zerolog"
)

// Name is the plugin name.
const Name = "pgtestsrc"

// Spec is the source's `spec:` block.
type Spec struct {
	// Generation selects the data set: 1 or 2.
	Generation int `json:"generation"`
}

// Plugin returns the test source plugin.
func Plugin() *plugin.Plugin {
	return plugin.NewPlugin(Name, "development", newClient, plugin.WithKind(string(plugin.KindSource)))
}

type client struct {
	plugin.UnimplementedDestination
	logger    zerolog.Logger
	spec      Spec
	tables    schema.Tables
	scheduler *scheduler.Scheduler
}

func newClient(_ context.Context, logger zerolog.Logger, rawSpec []byte, _ plugin.NewClientOptions) (plugin.Client, error) {
	var spec Spec
	if len(rawSpec) > 0 {
		if err := json.Unmarshal(rawSpec, &spec); err != nil {
			return nil, fmt.Errorf("invalid spec: %w", err)
		}
	}
	tables, err := tables()
	if err != nil {
		return nil, err
	}
	return &client{
		logger:    logger,
		spec:      spec,
		tables:    tables,
		scheduler: scheduler.NewScheduler(scheduler.WithLogger(logger)),
	}, nil
}

func (c *client) Tables(_ context.Context, opts plugin.TableOptions) (schema.Tables, error) {
	return c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
}

func (c *client) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	tables, err := c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return err
	}
	stateClient, err := state.NewConnectedClient(ctx, opts.BackendOptions)
	if err != nil {
		return fmt.Errorf("connect to the state backend: %w", err)
	}
	defer stateClient.Close()

	meta := &syncMeta{spec: c.spec, state: stateClient}
	if err := c.scheduler.Sync(ctx, meta, tables, res, scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID)); err != nil {
		return err
	}
	return stateClient.Flush(ctx)
}

func (*client) Close(context.Context) error { return nil }

// syncMeta is what resolvers receive as schema.ClientMeta during one sync.
type syncMeta struct {
	spec  Spec
	state state.Client
}

func (*syncMeta) ID() string { return Name }
