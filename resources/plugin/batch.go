package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// The SDK's scheduler turns every row into an Arrow record of its own, and the gRPC server
// encodes each record with its schema: per row, that costs more than the row. Merging a table's
// rows into records of up to BatchRows rows cuts the CLI's and the destination's work per row.
const (
	// BatchRows is the most rows of one table the plugin sends in one record.
	BatchRows = 500
	// batchWait is the longest a row waits for its record to fill up.
	batchWait = 250 * time.Millisecond
)

// forwardBatched sends the messages of in to out, with the inserts of each table merged into
// records of up to BatchRows rows, until in is closed. Other messages go on at once (the
// scheduler sends a table's migration before its rows). When ctx ends it drops what is left, so
// that the senders into in never block.
func forwardBatched(ctx context.Context, in <-chan message.SyncMessage, out chan<- message.SyncMessage) error {
	pending := map[string][]arrow.Record{}
	rows := map[string]int64{}
	ticker := time.NewTicker(batchWait)
	defer ticker.Stop()
	send := func(m message.SyncMessage) error {
		select {
		case out <- m:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	flush := func(table string) error {
		records := pending[table]
		delete(pending, table)
		delete(rows, table)
		if len(records) == 0 {
			return nil
		}
		merged, err := MergeRecords(records)
		if err != nil {
			return fmt.Errorf("merging the rows of %s: %w", table, err)
		}
		return send(&message.SyncInsert{Record: merged})
	}
	flushAll := func() error {
		for table := range pending {
			if err := flush(table); err != nil {
				return err
			}
		}
		return nil
	}
	var failed error
	for {
		select {
		case m, ok := <-in:
			if !ok {
				if failed != nil {
					return failed
				}
				return flushAll()
			}
			if failed != nil {
				continue // drain
			}
			insert, isInsert := m.(*message.SyncInsert)
			if !isInsert {
				failed = send(m)
				continue
			}
			table, _ := insert.Record.Schema().Metadata().GetValue(schema.MetadataTableName)
			pending[table] = append(pending[table], insert.Record)
			rows[table] += insert.Record.NumRows()
			if rows[table] >= BatchRows {
				failed = flush(table)
			}
		case <-ticker.C:
			if failed == nil {
				failed = flushAll()
			}
		}
	}
}

// MergeRecords concatenates records of one schema into one record.
func MergeRecords(records []arrow.Record) (arrow.Record, error) {
	if len(records) == 1 {
		return records[0], nil
	}
	sc := records[0].Schema()
	columns := make([]arrow.Array, sc.NumFields())
	parts := make([]arrow.Array, len(records))
	var n int64
	for _, r := range records {
		n += r.NumRows()
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
	return array.NewRecord(sc, columns, n), nil
}
