package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunUsageErrors(t *testing.T) {
	t.Setenv("KMSAUDIT_DSN", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined"},
		{"no dsn", nil, "-dsn is required"},
		{"stray argument", []string{"-dsn", "postgres://x", "extra"}, "unexpected arguments"},
		{"negative rows", []string{"-dsn", "postgres://x", "-max-rows", "-1"}, "must be 0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.want)
			}
		})
	}
}

func TestRunConnectionErrorHidesPassword(t *testing.T) {
	code, stdout, stderr := runCLI(t, "-dsn", "postgres://auditor:s3cret-pw@127.0.0.1:1/cq?connect_timeout=2")
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr, "connecting to PostgreSQL") || stdout != "" {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	if strings.Contains(stderr, "s3cret-pw") {
		t.Errorf("the password leaked into the error: %q", stderr)
	}
}

func TestRunMissingQueryDir(t *testing.T) {
	code, _, stderr := runCLI(t, "-dsn", "postgres://x", "-dir", filepath.Join(t.TempDir(), "nope"))
	if code != exitError || !strings.Contains(stderr, "loading queries") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestRunEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	dsn := pgtest.Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	loadFixture(t, ctx, conn)
	conn.Close(ctx)

	// The embedded queries all run: exit 0 although they find things, and
	// every query's title is in the report.
	code, stdout, stderr := runCLI(t, "-dsn", dsn)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	qs, err := LoadQueries(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !strings.Contains(stdout, "["+q.Name+"] "+q.Header.Title+"\n") {
			t.Errorf("report lacks the section of %s:\n%s", q.Name, stdout)
		}
	}
	if !strings.Contains(stdout, "arn:aws:iam::123412341234:user/hugh-grant") {
		t.Errorf("report lacks the delegating grantee:\n%s", stdout)
	}

	// -dir runs another directory; a broken query fails the run (exit 1)
	// but the others are still reported.
	dir := t.TempDir()
	for name, sql := range map[string]string{
		"01_ok.sql":     "-- Works\nSELECT grant_id FROM aws_kms_key_grants WHERE is_delegating ORDER BY grant_id",
		"02_broken.sql": "-- Broken\nSELECT nope FROM missing_table",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = runCLI(t, "-dsn", dsn, "-dir", dir)
	if code != exitError {
		t.Errorf("exit %d with a broken query, want %d", code, exitError)
	}
	if !strings.Contains(stdout, "[01_ok] Works\n  3 rows\n") || !strings.Contains(stdout, "[02_broken] Broken\n  ERROR:") {
		t.Errorf("report:\n%s", stdout)
	}
	if !strings.Contains(stderr, "query 02_broken failed") {
		t.Errorf("stderr %q does not name the failed query", stderr)
	}
}

// TestRunAccess: kmsaudit computes aws_kms_key_access, reports the access queries after the grant
// audit and writes the graph file; without the keys table it says what is missing, skips the
// access queries and exits 1.
func TestRunAccess(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	dsn := pgtest.Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	loadAccessFixture(t, ctx, conn)
	conn.Close(ctx)

	graph := filepath.Join(t.TempDir(), "access.md")
	code, stdout, stderr := runCLI(t, "-dsn", dsn, "-graph", graph)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, section := range []string{
		"[access/01_who_can_decrypt] Who can decrypt with each key, through every path\n",
		"[access/04_paths_bypassing_key_administrators] Paths that bypass the key administrators\n",
	} {
		if !strings.Contains(stdout, section) {
			t.Errorf("report lacks %q:\n%s", section, stdout)
		}
	}
	b, err := os.ReadFile(graph)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# Access to 4 KMS keys\n") || !strings.Contains(string(b), "## "+mainKey+"\n\n```mermaid\n") {
		t.Errorf("graph file:\n%s", b)
	}

	// A database where the keys table was never synced: the views are created, the access
	// table cannot be computed.
	empty := pgtest.Start(t)
	econn, err := pgx.Connect(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := econn.Exec(ctx, readFile(t, "testdata/schema.sql")+";DROP TABLE aws_kms_keys"); err != nil {
		t.Fatal(err)
	}
	econn.Close(ctx)
	code, _, stderr = runCLI(t, "-dsn", empty)
	if code != exitError || !strings.Contains(stderr, "table aws_kms_keys is missing") || !strings.Contains(stderr, "the access queries are skipped") {
		t.Errorf("on an empty database: exit %d, stderr %q", code, stderr)
	}
}
