package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// readBatchRows is the most rows per Arrow record sent back by Read.
const readBatchRows = 1000

// Read streams all rows of a table as Arrow records with the table's schema. CloudQuery uses it for
// the state backend (incremental tables' cursors) and the SDK's destination tests use it to compare.
func (c *Client) Read(ctx context.Context, table *schema.Table, res chan<- arrow.Record) error {
	sc := table.ToArrowSchema()
	readers := make([]fieldReader, len(table.Columns))
	selects := make([]string, len(table.Columns))
	dests := make([]any, len(table.Columns))
	for i, col := range table.Columns {
		readers[i] = newFieldReader(col.Type)
		selects[i] = readers[i].selectExpr(quote(col.Name))
		dests[i] = readers[i].dest
	}
	conn, err := c.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.pool.release(conn)
	rows, err := conn.Query(ctx, "SELECT "+strings.Join(selects, ", ")+" FROM "+quote(table.Name))
	if err != nil {
		return fmt.Errorf("read table %s: %w", table.Name, err)
	}
	defer rows.Close()

	bldr := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bldr.Release()
	send := func() error {
		rec := bldr.NewRecord()
		select {
		case res <- rec:
			return nil
		case <-ctx.Done():
			rec.Release()
			return ctx.Err()
		}
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			return fmt.Errorf("read table %s: %w", table.Name, err)
		}
		for i, r := range readers {
			if err := r.appendTo(bldr.Field(i)); err != nil {
				return fmt.Errorf("read table %s, column %s: %w", table.Name, table.Columns[i].Name, err)
			}
		}
		if n++; n == readBatchRows {
			if err := send(); err != nil {
				return err
			}
			n = 0
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read table %s: %w", table.Name, err)
	}
	if n > 0 {
		return send()
	}
	return nil
}
