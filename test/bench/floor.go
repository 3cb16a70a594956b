package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
	"github.com/rs/zerolog"

	awskms "github.com/kmsaudit/cq-source-awskms/resources/plugin"
)

// The floor source emits the rows an awskms sync writes, without AWS: the same tables (the
// plugin's own schemas, so the destination migrates and writes the same columns), the same number
// of rows per table, one row a message as the plugin's scheduler sends them, values from the
// plugin SDK's test-data generator. A CLI sync of it is the least time the CLI and the destination
// need for the rows: the floor the wide-organization run is held to beside the quota minimum.

// floorSpec is the floor source's spec.
type floorSpec struct {
	// Rows to emit per table.
	Rows map[string]int64 `json:"rows"`
	// GenerationFile receives the seconds spent generating the rows before the sync sends them;
	// the benchmark takes them off the floor's wall time.
	GenerationFile string `json:"generation_file"`
}

func floorPlugin() *plugin.Plugin {
	return plugin.NewPlugin(awskms.Name, "floor", newFloorClient, plugin.WithKind(string(plugin.KindSource)))
}

type floorClient struct {
	plugin.UnimplementedDestination
	spec   floorSpec
	tables schema.Tables
}

func newFloorClient(_ context.Context, _ zerolog.Logger, raw []byte, _ plugin.NewClientOptions) (plugin.Client, error) {
	c := &floorClient{tables: awskms.Tables()}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &c.spec); err != nil {
			return nil, fmt.Errorf("floor source spec: %w", err)
		}
	}
	return c, nil
}

func (c *floorClient) Tables(_ context.Context, opts plugin.TableOptions) (schema.Tables, error) {
	return c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
}

func (c *floorClient) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	tables, err := c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return err
	}
	flat := tables.FlattenTables()
	start := time.Now()
	records := map[string]arrow.Record{}
	gen := schema.NewTestDataGenerator(1)
	for _, t := range flat {
		if n := c.spec.Rows[t.Name]; n > 0 {
			records[t.Name] = distinctRows(gen.Generate(t, schema.GenTestDataOptions{
				SourceName: awskms.Name, SyncTime: start, MaxRows: int(n), StableTime: start, TimePrecision: time.Microsecond,
			}))
		}
	}
	if c.spec.GenerationFile != "" {
		_ = os.WriteFile(c.spec.GenerationFile, fmt.Appendf(nil, "%f", time.Since(start).Seconds()), 0o600)
	}
	for _, t := range flat {
		select {
		case res <- &message.SyncMigrateTable{Table: t}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, t := range flat {
		rec := records[t.Name]
		if rec == nil {
			continue
		}
		for i := range rec.NumRows() {
			select {
			case res <- &message.SyncInsert{Record: rec.NewSlice(i, i+1)}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// distinctRows makes every string and UUID of the record distinct per row (the generator draws
// them from a small range, so primary keys would collide and upserts fold rows together), strings
// about as long as the ARNs and ids they stand for.
func distinctRows(rec arrow.Record) arrow.Record {
	cols := rec.Columns()
	out := make([]arrow.Array, len(cols))
	n := int(rec.NumRows())
	for i, col := range cols {
		switch {
		case arrow.TypeEqual(col.DataType(), arrow.BinaryTypes.String):
			b := array.NewStringBuilder(memory.DefaultAllocator)
			name := rec.Schema().Field(i).Name
			for row := range n {
				if col.IsNull(row) {
					b.AppendNull()
					continue
				}
				b.Append(fmt.Sprintf("arn:aws:kms:us-east-1:123456789012:%s/%08d-0000-4000-8000-%012d", name, row, row))
			}
			out[i] = b.NewArray()
		case arrow.TypeEqual(col.DataType(), types.ExtensionTypes.UUID):
			b := types.NewUUIDBuilder(array.NewExtensionBuilder(memory.DefaultAllocator, types.ExtensionTypes.UUID))
			for range n {
				b.Append(uuid.New())
			}
			out[i] = b.NewArray()
		default:
			col.Retain()
			out[i] = col
		}
	}
	return array.NewRecord(rec.Schema(), out, int64(n))
}

func (*floorClient) Close(context.Context) error { return nil }
