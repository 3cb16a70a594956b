package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// BenchmarkLineageView resolves the parents of a hot key's grants through aws_kms_grant_lineage:
// 50,000 grants of which 10,000 delegate (each of the other 40,000 created by the grantee of one
// of them), against a naive reference measured in the same run: the same view with PostgreSQL's
// index scans turned off, a scan of the key's events per grant, on a fiftieth of the grants
// (its cost per grant grows with the key's events, so at full size each grant would cost about
// fifty times as much). Every parent is checked against the one the data was built with.
//
//	go test -run '^$' -bench LineageView -benchtime 1x ./cmd/kmsaudit
func BenchmarkLineageView(b *testing.B) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, readFile(b, "testdata/schema.sql")); err != nil {
		b.Fatal(err)
	}
	if err := CreateViews(ctx, conn, queries.Views); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		indexed := timeLineage(b, ctx, conn, "hot", 50_000, 10_000, false)
		naive := timeLineage(b, ctx, conn, "naive", 1_000, 200, true)
		b.ReportMetric(indexed.Seconds(), "s/50k-grants")
		b.ReportMetric(naive.Seconds(), "naive-s/1k-grants")
		b.ReportMetric(float64(indexed.Microseconds())/50_000, "µs/grant")
		b.ReportMetric(float64(naive.Microseconds())/1_000, "naive-µs/grant")
	}
}

// timeLineage loads a key with grants grants, delegating of them delegating, and times the view's
// resolution of all their parents.
func timeLineage(b *testing.B, ctx context.Context, conn *pgx.Conn, key string, grants, delegating int, naive bool) time.Duration {
	b.Helper()
	keyARN := "arn:aws:kms:us-east-1:" + acct + ":key/" + key
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var grantRows, eventRows [][]any
	for i := range grants {
		id, caller, grantee, ops := fmt.Sprintf("c-%d", i), user(fmt.Sprintf("u%d", i%delegating)), role("App"), []string{"Decrypt"}
		if i < delegating {
			id, caller, grantee, ops = fmt.Sprintf("d-%d", i), role("KeyAdminRole"), user(fmt.Sprintf("u%d", i)), []string{"CreateGrant", "Decrypt"}
		}
		grantRows = append(grantRows, []any{acct, region, keyARN, id, grantee, grantee})
		eventRows = append(eventRows, []any{acct, region, "e-" + key + id, t0.Add(time.Duration(i) * time.Second), "CreateGrant", keyARN, id, caller, acct, caller, grantee, grantee, ops})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"aws_kms_key_grants"},
		[]string{"account_id", "region", "key_arn", "grant_id", "grantee_principal", "grantee_identity"}, pgx.CopyFromRows(grantRows)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"aws_kms_grant_events"},
		[]string{"account_id", "region", "event_id", "event_time", "event_name", "key_arn", "grant_id", "caller_arn", "caller_account_id", "caller_identity", "grantee_principal", "grantee_identity", "operations"},
		pgx.CopyFromRows(eventRows)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE aws_kms_key_grants; ANALYZE aws_kms_grant_events"); err != nil {
		b.Fatal(err)
	}
	scans := "on"
	if naive {
		scans = "off"
	}
	if _, err := conn.Exec(ctx, "SET enable_indexscan = "+scans+"; SET enable_bitmapscan = "+scans+"; SET enable_indexonlyscan = "+scans); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rows, err := conn.Query(ctx, "SELECT grant_id, parent_grant_id FROM aws_kms_grant_lineage WHERE key_arn = $1", keyARN)
	if err != nil {
		b.Fatal(err)
	}
	parents := map[string]string{}
	for rows.Next() {
		var id string
		var parent *string
		if err := rows.Scan(&id, &parent); err != nil {
			b.Fatal(err)
		}
		if parent != nil {
			parents[id] = *parent
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if len(parents) != grants-delegating {
		b.Fatalf("%d grants have a parent, want %d", len(parents), grants-delegating)
	}
	for i := delegating; i < grants; i++ {
		if got, want := parents[fmt.Sprintf("c-%d", i)], fmt.Sprintf("d-%d", i%delegating); got != want {
			b.Fatalf("parent of c-%d = %q, want %q", i, got, want)
		}
	}
	return elapsed
}
