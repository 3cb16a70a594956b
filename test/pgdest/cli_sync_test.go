package pgdest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest/internal/testsource"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

// TestCLISyncOverwriteDeleteStale runs the real CloudQuery CLI (bin/cloudquery) twice with the test
// source and this destination as `registry: local` plugins, the second time with changed data, and
// checks upserts, stale-row deletion (child tables included) and the state backend round trip.
func TestCLISyncOverwriteDeleteStale(t *testing.T) {
	cli := cloudqueryBinary(t)
	dsn := pgtest.Start(t)
	dir := t.TempDir()
	srcBin := buildBinary(t, dir, "github.com/kmsaudit/cq-source-awskms/test/pgdest/internal/testsource/cmd/cq-source-pgtestsrc")
	dstBin := buildBinary(t, dir, "github.com/kmsaudit/cq-source-awskms/test/pgdest/cmd/"+pgdest.BinaryName)
	conn := connectDB(t, dsn)
	ctx := context.Background()

	runSync(t, cli, dir, syncConfig(srcBin, dstBin, dsn, 1))
	firstSync := syncTimes(t, conn, "pgtest_keys")
	require.Len(t, firstSync, 1, "one sync time per sync")

	require.Equal(t, keyIDs(testsource.Keys(1)), column(t, conn, `SELECT key_id FROM pgtest_keys ORDER BY key_id`))
	require.Equal(t, []string{"k1/g1", "k1/g2", "k2/g3", "k3/g4"},
		column(t, conn, `SELECT key_id || '/' || grant_id FROM pgtest_key_grants ORDER BY 1`))
	var orphans int
	require.NoError(t, conn.QueryRow(ctx, `
SELECT count(*) FROM pgtest_key_grants g LEFT JOIN pgtest_keys k ON k._cq_id = g._cq_parent_id
WHERE k.key_id IS DISTINCT FROM g.key_id`).Scan(&orphans))
	require.Zero(t, orphans, "_cq_parent_id of every grant must be its key's _cq_id")
	require.Equal(t, []string{"1", "2", "3"}, column(t, conn, `SELECT event_id::text FROM pgtest_events ORDER BY event_id`))
	require.Equal(t, "3", stateValue(t, conn))

	runSync(t, cli, dir, syncConfig(srcBin, dstBin, dsn, 2))
	secondSync := syncTimes(t, conn, "pgtest_keys")
	require.Len(t, secondSync, 1, "stale keys from the first sync must be gone")
	require.True(t, secondSync[0].After(firstSync[0]))

	require.Equal(t, keyIDs(testsource.Keys(2)), column(t, conn, `SELECT key_id FROM pgtest_keys ORDER BY key_id`))
	require.Equal(t, []string{"k1/g1", "k2/g3"},
		column(t, conn, `SELECT key_id || '/' || grant_id FROM pgtest_key_grants ORDER BY 1`),
		"g2 left k1 and g4 belonged to the deleted k3")
	require.Equal(t, secondSync, syncTimes(t, conn, "pgtest_key_grants"))

	// The updated key carries generation 2's values, stored as native types.
	k1 := testsource.Keys(2)[0]
	var aliases []string
	var effect string
	var created time.Time
	var enabled bool
	require.NoError(t, conn.QueryRow(ctx, `
SELECT aliases, policy->'Statement'->0->>'Effect', created, enabled FROM pgtest_keys WHERE key_id = $1`, k1.KeyID).
		Scan(&aliases, &effect, &created, &enabled))
	require.Equal(t, k1.Aliases, aliases)
	require.Equal(t, "deny", effect)
	require.True(t, k1.Created.Equal(created), "created: got %s want %s", created, k1.Created)
	require.Equal(t, k1.Enabled, enabled)

	// The incremental table is not delete-staled, and the cursor read back through the destination's
	// Read made the source emit only events 4 and 5.
	require.Equal(t, []string{"1", "2", "3", "4", "5"}, column(t, conn, `SELECT event_id::text FROM pgtest_events ORDER BY event_id`))
	require.Equal(t, []string{"1", "2", "3"}, column(t, conn,
		`SELECT event_id::text FROM pgtest_events WHERE _cq_sync_time = $1 ORDER BY event_id`, firstSync[0]),
		"events from the first sync were re-emitted: the cursor did not survive")
	require.Equal(t, "5", stateValue(t, conn))
}

// cloudqueryBinary returns bin/cloudquery at the repository root. Without it the test skips, except
// under CI, where the binary is part of the setup (test/scripts/build-cloudquery.sh).
func cloudqueryBinary(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	bin := filepath.Join(root, "bin", "cloudquery")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not found (build it with `make cloudquery`); required when CI is set", bin)
		}
		t.Fatalf("%s not found under CI: run test/scripts/build-cloudquery.sh first", bin)
	}
	return bin
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func buildBinary(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// -buildvcs=false: a copy of the tree without git must still build.
	cmd := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-o", out, pkg)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", pkg, output)
	return out
}

func syncConfig(srcBin, dstBin, dsn string, generation int) string {
	return fmt.Sprintf(`kind: source
spec:
  name: %[1]s
  registry: local
  path: %[2]q
  tables: ["*"]
  destinations: [%[3]q]
  backend_options:
    table_name: cq_state_pgtestsrc
    connection: "@@plugins.%[3]s.connection"
  spec:
    generation: %[4]d
---
kind: destination
spec:
  name: %[3]s
  registry: local
  path: %[5]q
  write_mode: overwrite-delete-stale
  spec:
    connection_string: %[6]q
`, testsource.Name, srcBin, pgdest.Name, generation, dstBin, dsn)
}

func runSync(t *testing.T, cli, dir, config string) {
	t.Helper()
	cfg := filepath.Join(dir, "sync.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(config), 0o600))
	logFile := filepath.Join(dir, "cloudquery.log")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "sync", cfg,
		"--cq-dir", filepath.Join(dir, ".cq"),
		"--log-file-name", logFile,
		"--log-level", "debug",
	)
	cmd.Env = append(os.Environ(), "CQ_TELEMETRY_LEVEL=none")
	output, err := cmd.CombinedOutput()
	if err != nil {
		logs, _ := os.ReadFile(logFile)
		t.Fatalf("cloudquery sync failed: %v\n%s\n--- %s ---\n%s", err, output, logFile, logs)
	}
}

func column(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	values, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return values
}

// syncTimes returns the distinct _cq_sync_time values of a table, oldest first.
func syncTimes(t *testing.T, conn *pgx.Conn, table string) []time.Time {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		`SELECT DISTINCT _cq_sync_time FROM `+pgx.Identifier{table}.Sanitize()+` ORDER BY 1`)
	require.NoError(t, err)
	times, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	require.NoError(t, err)
	return times
}

func stateValue(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var v string
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT value FROM cq_state_pgtestsrc WHERE key = $1`, testsource.EventsCursorKey).Scan(&v))
	return v
}

func keyIDs(keys []testsource.Key) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.KeyID
	}
	return ids
}
