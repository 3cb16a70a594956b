package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// TestQueriesOnSharesAndKeyUse runs queries 10-13 on a hand-built data set: a share of one key
// with a member and an outside account, a share that allows external principals but has none
// yet, an organization-only share; keys shared with us from inside and outside the
// organization; and keys last used an hour ago, 200 days ago, never since a tracking start 300
// days back (created before it), never since a tracking start 10 days back (too recent to
// call), each with grants. The expected rows are written from the queries' headers.
func TestQueriesOnSharesAndKeyUse(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, readFile(t, "testdata/schema.sql")); err != nil {
		t.Fatal(err)
	}
	pair := func(r map[string]any) map[string]any {
		r["account_id"], r["region"] = acct, region
		return r
	}
	shareARN := func(id string) string { return "arn:aws:ram:us-east-1:" + acct + ":resource-share/" + id }
	actions := []string{"kms:Decrypt", "kms:Encrypt"}
	for _, s := range []map[string]any{
		{"resource_share_arn": shareARN("mixed"), "name": "mixed", "status": "ACTIVE", "allow_external_principals": true,
			"principals": `[{"id":"` + member + `","type":"account","external":false},{"id":"` + outsider + `","type":"account","external":true}]`,
			"key_arns":   []string{keyARN("shared")},
			"actions":    actions},
		{"resource_share_arn": shareARN("open"), "name": "open", "status": "ACTIVE", "allow_external_principals": true,
			"principals": `[]`, "key_arns": []string{keyARN("open")}, "actions": actions},
		{"resource_share_arn": shareARN("org-only"), "name": "org-only", "status": "ACTIVE", "allow_external_principals": false,
			"principals": `[{"id":"arn:aws:organizations::` + acct + `:organization/o-abc123","type":"organization","external":false}]`,
			"key_arns":   []string{keyARN("inside")}, "actions": actions},
	} {
		insert(t, ctx, conn, "aws_ram_kms_key_shares", pair(s))
	}
	foreign := func(owner, id string) string { return "arn:aws:kms:us-east-1:" + owner + ":key/" + id }
	insert(t, ctx, conn, "aws_kms_keys_shared_with_us", pair(map[string]any{"key_arn": foreign(member, "m1"), "owner_account_id": member, "owner_in_organization": true}))
	insert(t, ctx, conn, "aws_kms_keys_shared_with_us", pair(map[string]any{"key_arn": foreign(outsider, "o1"), "owner_account_id": outsider, "owner_in_organization": false}))

	now := time.Now().UTC()
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	for _, k := range []struct {
		id                string
		created, tracking time.Time
		lastUsed          any
		grants            []string
	}{
		{"hot", days(400), days(300), now.Add(-time.Hour), []string{"g-hot"}},
		{"stale", days(400), days(300), days(200), []string{"g-stale"}},
		{"idle-old", days(400), days(300), nil, []string{"g-idle-1", "g-idle-2"}},
		{"idle-new", days(10), days(10), nil, []string{"g-new"}},
		{"weekly", days(400), days(300), days(7), []string{"g-weekly"}},
		{"idle-no-grants", days(400), days(300), nil, nil},
	} {
		insert(t, ctx, conn, "aws_kms_keys", pair(map[string]any{"arn": keyARN(k.id), "key_state": "Enabled", "creation_date": k.created}))
		insert(t, ctx, conn, "aws_kms_key_last_usage", pair(map[string]any{"key_arn": keyARN(k.id), "tracking_start_date": k.tracking, "last_used_at": k.lastUsed}))
		for _, g := range k.grants {
			insert(t, ctx, conn, "aws_kms_key_grants", pair(map[string]any{"key_arn": keyARN(k.id), "grant_id": g, "grantee_principal": role("App-" + g)}))
		}
	}

	if err := CreateViews(ctx, conn, queries.Views); err != nil {
		t.Fatal(err)
	}
	qs, err := LoadQueries(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]Result{}
	for _, r := range RunQueries(ctx, conn, qs, time.Minute) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Query.Name, r.Err)
		}
		results[r.Query.Name] = r
	}
	// 10: the outside account of the mixed share, and the open share with no principal yet;
	// the member and the organization-only share are not findings.
	expectRows(t, results["10_keys_shared_outside_the_organization"], []string{"key_arn", "share_name", "principal", "actions"}, [][]string{
		{keyARN("open"), "open", "NULL", "{kms:Decrypt,kms:Encrypt}"},
		{keyARN("shared"), "mixed", outsider, "{kms:Decrypt,kms:Encrypt}"},
	})
	// 11: every foreign key, the one from outside the organization first.
	expectRows(t, results["11_foreign_keys_shared_with_us"], []string{"key_arn", "owner_in_organization"}, [][]string{
		{foreign(outsider, "o1"), "false"},
		{foreign(member, "m1"), "true"},
	})
	// 12: the two idle-old grants and the stale one are candidates; the hot key's grant needs
	// care; the weekly key (used 7 days ago) and idle-new (tracked for 10 days only) are neither.
	expectRows(t, results["12_grants_by_key_last_use"], []string{"verdict", "grant_id"}, [][]string{
		{"candidate to retire: key unused for 90 days", "g-idle-1"},
		{"candidate to retire: key unused for 90 days", "g-idle-2"},
		{"candidate to retire: key unused for 90 days", "g-stale"},
		{"retire with care: key used in the last day", "g-hot"},
	})
	// 13: keys never used since tracking began that still have grants.
	expectRows(t, results["13_unused_keys_with_live_grants"], []string{"key_arn", "created_before_tracking", "live_grants"}, [][]string{
		{keyARN("idle-new"), "false", "1"},
		{keyARN("idle-old"), "true", "2"},
	})
}
