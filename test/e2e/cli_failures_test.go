package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// TestInvalidSpecFailsTheSync: `cloudquery sync` exits non-zero and says which fields are wrong
// and how to fix them, before any AWS call.
func TestInvalidSpecFailsTheSync(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	spec := map[string]any{"regions": []string{"us-east-1", "moon-1"}, "max_retries": "ten", "org": map[string]any{}, "accounts": []map[string]any{{"id": "a"}}}
	config := writeFile(t, dir, "sync.yml", syncConfig(spec, pgtest.Start(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := runCLI(ctx, t, dir, awsEnv(t, "123412341234"), "sync", config)
	if run.err == nil {
		t.Fatalf("sync with an invalid spec succeeded:\n%s", run.output)
	}
	all := run.output + run.log
	for _, want := range []string{
		`spec.regions[1]: \"moon-1\" is not a region name`,
		`spec.max_retries: expected a whole number, got the string \"ten\"`,
		"spec.org.member_role_name: is required",
		"`accounts` and `org` cannot be used together",
	} {
		if !strings.Contains(all, want) && !strings.Contains(all, strings.ReplaceAll(want, `\"`, `"`)) {
			t.Errorf("the CLI's output does not say %q:\n%s", want, tail(all, 3000))
		}
	}
}

// TestKilledSyncRecovers kills the CLI in the middle of a slow sync (CloudTrail read at 2 calls a
// second, as AWS allows: the hot key's 1,500 CreateGrant events alone take 15 s); the next
// scheduled sync completes, and the rows the killed one left behind are replaced, not duplicated.
func TestKilledSyncRecovers(t *testing.T) {
	requireTools(t)
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	cfg.Server.Latency.Fixed = emulator.Duration(40 * time.Millisecond)
	emu := startEmulator(t, cfg)
	dsn := pgtest.Start(t)
	dir := t.TempDir()
	spec := orgSpec(emu)
	spec["rate_limits"] = map[string]float64{"LookupEvents": 2}
	config := writeFile(t, dir, "sync.yml", syncConfig(spec, dsn))
	env := awsEnv(t, cfg.ManagementAccount)

	cmd := exec.Command(bin.cloudquery, "sync", config, "--cq-dir", dir+"/.cq", "--log-file-name", dir+"/killed.log")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, dsn)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && !tableHasRows(conn, "aws_kms_grant_events") {
		time.Sleep(200 * time.Millisecond)
	}
	// SIGKILL the CLI and its plugins together, as an OOM kill or a node loss would.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	partial := count(t, conn, "SELECT count(*) FROM aws_kms_grant_events")
	if cursors := count(t, conn, "SELECT count(*) FROM cq_state_awskms"); cursors != 0 {
		t.Fatalf("the sync was killed after it saved %d cursors, not midway", cursors)
	}
	want := expectedCounts(emu.World, time.Now().UTC().AddDate(0, 0, -90))
	if partial == 0 || partial >= want["aws_kms_grant_events"] {
		t.Fatalf("the sync was not killed midway: %d of %d grant events written", partial, want["aws_kms_grant_events"])
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	mustSync(ctx, t, dir, env, config)
	checkCounts(t, conn, want)
	if n := count(t, conn, `SELECT count(*) FROM (SELECT key_arn, grant_id FROM aws_kms_key_grants GROUP BY 1, 2 HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d grants are duplicated", n)
	}
	if n := count(t, conn, `SELECT count(DISTINCT _cq_sync_time) FROM aws_kms_key_grants`); n != 1 {
		t.Errorf("rows of %d syncs remain, want only the last one's", n)
	}
}

func tableHasRows(conn *pgx.Conn, table string) bool {
	var n int
	return conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n) == nil && n > 0
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
