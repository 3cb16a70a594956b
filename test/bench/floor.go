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

	"github.com/kmsaudit/cq-source-awskms/internal/scheduler"
	awskms "github.com/kmsaudit/cq-source-awskms/resources/plugin"
)

// The floor source emits the rows an awskms sync writes, without AWS: the same tables (the
// plugin's own schemas, so the destination migrates and writes the same columns), the same number
// of rows per table, in records of up to scheduler.BatchRows rows as the plugin sends them, values from the
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

// floorTemplateRows are generated per table; each row sent is a template row with its strings and
// UUIDs made distinct.
const floorTemplateRows = 256

func (c *floorClient) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	tables, err := c.tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return err
	}
	flat := tables.FlattenTables()
	start := time.Now()
	templates := map[string]arrow.Record{}
	gen := schema.NewTestDataGenerator(1)
	for _, t := range flat {
		if n := c.spec.Rows[t.Name]; n > 0 {
			templates[t.Name] = gen.Generate(t, schema.GenTestDataOptions{
				SourceName: awskms.Name, SyncTime: start, MaxRows: int(min(n, floorTemplateRows)), StableTime: start, TimePrecision: time.Microsecond,
			})
		}
	}
	// Time spent making rows is the source's, not the CLI's or the destination's: it is reported
	// and taken off the floor.
	making := time.Since(start)
	for _, t := range flat {
		select {
		case res <- &message.SyncMigrateTable{Table: t}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Every record is made before the first is sent: making them while sending would overlap
	// with the CLI's work, and taking that time off the wall time would understate the floor.
	serial := 0
	var records []arrow.Record
	for _, t := range flat {
		tmpl := templates[t.Name]
		if tmpl == nil {
			continue
		}
		n := c.spec.Rows[t.Name]
		for first := int64(0); first < n; first += scheduler.BatchRows {
			batch := make([]arrow.Record, 0, min(n-first, scheduler.BatchRows))
			for i := first; i < min(n, first+scheduler.BatchRows); i++ {
				serial++
				batch = append(batch, distinctRow(tmpl, int(i%tmpl.NumRows()), serial))
			}
			rec, err := concatRecords(batch)
			if err != nil {
				return err
			}
			records = append(records, rec)
		}
	}
	making = time.Since(start)
	for _, rec := range records {
		select {
		case res <- &message.SyncInsert{Record: rec}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if c.spec.GenerationFile != "" {
		_ = os.WriteFile(c.spec.GenerationFile, fmt.Appendf(nil, "%f", making.Seconds()), 0o600)
	}
	return nil
}

// distinctRow is one row of the template with every string and UUID made distinct (the generator
// draws them from a small range, so primary keys would collide and upserts fold rows together),
// strings about as long as the ARNs and ids they stand for.
func distinctRow(tmpl arrow.Record, row, serial int) arrow.Record {
	cols := make([]arrow.Array, tmpl.NumCols())
	for i, col := range tmpl.Columns() {
		switch {
		case arrow.TypeEqual(col.DataType(), arrow.BinaryTypes.String):
			b := array.NewStringBuilder(memory.DefaultAllocator)
			if col.IsNull(row) {
				b.AppendNull()
			} else {
				b.Append(fmt.Sprintf("arn:aws:kms:us-east-1:123456789012:%s/%08d-0000-4000-8000-%012d", tmpl.Schema().Field(i).Name, serial, i))
			}
			cols[i] = b.NewArray()
		case arrow.TypeEqual(col.DataType(), types.ExtensionTypes.UUID):
			b := types.NewUUIDBuilder(array.NewExtensionBuilder(memory.DefaultAllocator, types.ExtensionTypes.UUID))
			b.Append(uuid.New())
			cols[i] = b.NewArray()
		default:
			cols[i] = array.NewSlice(col, int64(row), int64(row+1))
		}
	}
	return array.NewRecord(tmpl.Schema(), cols, 1)
}

func (*floorClient) Close(context.Context) error { return nil }

// concatRecords concatenates records of one schema into one record.
func concatRecords(records []arrow.Record) (arrow.Record, error) {
	columns := make([]arrow.Array, records[0].NumCols())
	parts := make([]arrow.Array, len(records))
	var rows int64
	for _, r := range records {
		rows += r.NumRows()
	}
	for i := range columns {
		for j, r := range records {
			parts[j] = r.Column(i)
		}
		col, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		columns[i] = col
	}
	return array.NewRecord(records[0].Schema(), columns, rows), nil
}
