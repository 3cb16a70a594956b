package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// RunQueries runs each query in its own read-only transaction, so a query
// file can neither change the data nor leave the session broken for the
// next one. A failing query is reported in its Result; the others still
// run. timeout bounds each query (0: no bound).
func RunQueries(ctx context.Context, conn *pgx.Conn, queries []Query, timeout time.Duration) []Result {
	results := make([]Result, 0, len(queries))
	for _, q := range queries {
		results = append(results, runQuery(ctx, conn, q, timeout))
	}
	return results
}

func runQuery(ctx context.Context, conn *pgx.Conn, q Query, timeout time.Duration) Result {
	r := Result{Query: q}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		r.Err = err
		return r
	}
	// Rolling back a read-only transaction only ends it; its error, if
	// any, is the query's error already reported below.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	// The simple protocol returns every value as PostgreSQL's own text
	// form ({a,b} arrays, jsonb text, timestamps), which is what a report
	// should show.
	rows, err := tx.Query(ctx, q.SQL, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		r.Err = err
		return r
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	for _, f := range fields {
		r.Columns = append(r.Columns, f.Name)
	}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]*string, len(raw))
		for i, v := range raw {
			if v == nil {
				continue
			}
			text := string(v) // copies: RawValues is reused by the next row
			if fields[i].DataTypeOID == pgtype.BoolOID {
				text = boolText(text)
			}
			row[i] = &text
		}
		r.Rows = append(r.Rows, row)
	}
	r.Err = rows.Err()
	return r
}

// boolText spells PostgreSQL's t/f text booleans out.
func boolText(s string) string {
	switch s {
	case "t":
		return "true"
	case "f":
		return "false"
	}
	return s
}
