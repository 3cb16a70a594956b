package client

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/jackc/pgx/v5"
)

const (
	// maxParams is PostgreSQL's limit of bind parameters per statement.
	maxParams = 65535
	// maxRowsPerStatement keeps statements small enough to plan quickly.
	maxRowsPerStatement = 1000
)

// InsertBatch writes records with multi-row INSERTs. Tables with a primary key get upserts
// (ON CONFLICT ... DO UPDATE), and when a batch holds several rows with one key the last wins.
func (c *Client) InsertBatch(ctx context.Context, msgs message.WriteInserts) error {
	for _, group := range groupInserts(msgs) {
		def, err := c.tableDef(ctx, group.table)
		if err != nil {
			return err
		}
		if err := c.insertGroup(ctx, def, group); err != nil {
			return fmt.Errorf("insert into %s: %w", group.table, err)
		}
	}
	return nil
}

// insertGroup is a run of records for one table with the same columns.
type insertGroup struct {
	table   string
	columns []string
	records []arrow.Record
}

// groupInserts splits a batch into runs of records for the same table and columns, keeping their order.
func groupInserts(msgs message.WriteInserts) []*insertGroup {
	var groups []*insertGroup
	for _, msg := range msgs {
		sc := msg.Record.Schema()
		table, _ := sc.Metadata().GetValue(schema.MetadataTableName)
		columns := make([]string, sc.NumFields())
		for i, f := range sc.Fields() {
			columns[i] = f.Name
		}
		if n := len(groups); n > 0 && groups[n-1].table == table && slices.Equal(groups[n-1].columns, columns) {
			groups[n-1].records = append(groups[n-1].records, msg.Record)
			continue
		}
		groups = append(groups, &insertGroup{table: table, columns: columns, records: []arrow.Record{msg.Record}})
	}
	return groups
}

func (c *Client) insertGroup(ctx context.Context, def *tableDef, g *insertGroup) error {
	for _, col := range g.columns {
		if def.column(col) == nil {
			return fmt.Errorf("column %s does not exist in the table (was it migrated?)", col)
		}
	}
	upsert := len(def.primaryKey) > 0 && containsAll(g.columns, def.primaryKey)
	rows := g.rows()
	if upsert {
		rows = lastRowPerKey(rows, g.columns, def.primaryKey)
	}

	rowsPerStatement := min(maxRowsPerStatement, maxParams/len(g.columns))
	return c.pool.with(ctx, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for start := 0; start < len(rows); start += rowsPerStatement {
				chunk := rows[start:min(start+rowsPerStatement, len(rows))]
				args := make([]any, 0, len(chunk)*len(g.columns))
				for _, r := range chunk {
					for col := range g.columns {
						v, err := pgValue(r.record.Column(col), r.index)
						if err != nil {
							return fmt.Errorf("column %s: %w", g.columns[col], err)
						}
						args = append(args, v)
					}
				}
				sql := insertSQL(def, g.columns, len(chunk), upsert)
				if _, err := tx.Exec(ctx, sql, args...); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// rowRef points at one row of a record.
type rowRef struct {
	record arrow.Record
	index  int
}

func (g *insertGroup) rows() []rowRef {
	var rows []rowRef
	for _, rec := range g.records {
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, rowRef{record: rec, index: i})
		}
	}
	return rows
}

// lastRowPerKey drops rows whose primary key comes again later: one INSERT ... ON CONFLICT
// cannot update the same row twice.
func lastRowPerKey(rows []rowRef, columns, primaryKey []string) []rowRef {
	keyCols := make([]int, len(primaryKey))
	for i, pk := range primaryKey {
		for j, col := range columns {
			if col == pk {
				keyCols[i] = j
			}
		}
	}
	key := func(r rowRef) string {
		var sb strings.Builder
		for _, col := range keyCols {
			arr := r.record.Column(col)
			if arr.IsNull(r.index) {
				sb.WriteString("\x00null")
			} else {
				sb.WriteString(strconv.Quote(arr.ValueStr(r.index)))
			}
			sb.WriteByte(0)
		}
		return sb.String()
	}
	last := make(map[string]int, len(rows))
	for i, r := range rows {
		last[key(r)] = i
	}
	kept := rows[:0:0]
	for i, r := range rows {
		if last[key(r)] == i {
			kept = append(kept, r)
		}
	}
	return kept
}

func insertSQL(def *tableDef, columns []string, rows int, upsert bool) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(quote(def.name))
	sb.WriteString(" (")
	sb.WriteString(quoteList(columns))
	sb.WriteString(") VALUES ")
	param := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(")
		for c := range columns {
			if c > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("$")
			sb.WriteString(strconv.Itoa(param))
			param++
		}
		sb.WriteString(")")
	}
	if !upsert {
		return sb.String()
	}
	sb.WriteString(" ON CONFLICT (")
	sb.WriteString(quoteList(def.primaryKey))
	sb.WriteString(") DO ")
	var updates []string
	for _, col := range columns {
		if !def.inPrimaryKey(col) {
			updates = append(updates, quote(col)+" = EXCLUDED."+quote(col))
		}
	}
	if len(updates) == 0 {
		sb.WriteString("NOTHING")
		return sb.String()
	}
	sb.WriteString("UPDATE SET ")
	sb.WriteString(strings.Join(updates, ", "))
	return sb.String()
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
