// Package client implements the test-only "pgtest" CloudQuery destination: it writes Arrow records
// into PostgreSQL tables and reads them back. See ../README.md.
package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/writers/mixedbatchwriter"
	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
)

// Client is the destination's session: a connection pool and a batching writer.
type Client struct {
	plugin.UnimplementedSource

	logger zerolog.Logger
	pool   *connPool
	writer *mixedbatchwriter.MixedBatchWriter
	tables tableCache
}

var _ plugin.Client = (*Client)(nil)

// New is the plugin.NewClientFunc of the pgtest destination.
func New(ctx context.Context, logger zerolog.Logger, rawSpec []byte, opts plugin.NewClientOptions) (plugin.Client, error) {
	c := &Client{logger: logger}
	if opts.NoConnection {
		// Used by commands that only need the plugin's metadata.
		return c, nil
	}
	spec, err := parseSpec(rawSpec)
	if err != nil {
		return nil, err
	}
	config, err := pgx.ParseConfig(spec.ConnectionString)
	if err != nil {
		return nil, errConnectionString
	}
	// Describe each statement instead of caching prepared statements: a cached statement keeps the
	// parameter types of a table that a forced migration has since dropped and recreated.
	config.DefaultQueryExecMode = pgx.QueryExecModeDescribeExec
	pool := newConnPool(config)
	if err := pool.with(ctx, func(conn *pgx.Conn) error { return conn.Ping(ctx) }); err != nil {
		pool.close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	c.pool = pool

	c.writer, err = mixedbatchwriter.New(c,
		mixedbatchwriter.WithLogger(logger),
		mixedbatchwriter.WithBatchSize(spec.BatchSize),
		mixedbatchwriter.WithBatchSizeBytes(spec.BatchSizeBytes),
	)
	if err != nil {
		pool.close()
		return nil, err
	}
	return c, nil
}

// Write consumes write messages in order, batching consecutive messages of the same kind.
func (c *Client) Write(ctx context.Context, msgs <-chan message.WriteMessage) error {
	if c.writer == nil {
		return errors.New("pgtest destination was initialized without a connection")
	}
	return c.writer.Write(ctx, msgs)
}

// Close releases the connection pool.
func (c *Client) Close(context.Context) error {
	if c.pool != nil {
		c.pool.close()
	}
	return nil
}

// tableDef returns the stored definition of a table, reading the catalog on first use.
func (c *Client) tableDef(ctx context.Context, name string) (*tableDef, error) {
	if def := c.tables.get(name); def != nil {
		return def, nil
	}
	var def *tableDef
	err := c.pool.with(ctx, func(conn *pgx.Conn) (err error) {
		def, err = loadTableDef(ctx, conn, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if def == nil {
		return nil, fmt.Errorf("table %s does not exist (was it migrated?)", name)
	}
	c.tables.put(def)
	return def, nil
}

// tableCache holds table definitions read from the catalog; several writes may run at once.
type tableCache struct {
	mu   sync.Mutex
	defs map[string]*tableDef
}

func (tc *tableCache) get(name string) *tableDef {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.defs[name]
}

func (tc *tableCache) put(def *tableDef) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.defs == nil {
		tc.defs = map[string]*tableDef{}
	}
	tc.defs[def.name] = def
}

func (tc *tableCache) forget(name string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	delete(tc.defs, name)
}
