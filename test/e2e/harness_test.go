// Package e2e drives the plugin the way users run it: the real CloudQuery CLI syncs the plugin
// binary, pointed at the AWS emulator running as a process, into a real PostgreSQL server.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// binaries built once for every test of the package.
var bin struct {
	dir, plugin, destination, emulator, kmsaudit, cloudquery string
	err                                                      error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		dir, err := os.MkdirTemp("", "awskms-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin.dir = dir
		if !testing.Short() {
			bin.err = buildBinaries(dir)
		}
		return m.Run()
	}()
	os.Exit(code)
}

func buildBinaries(dir string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	bin.cloudquery = filepath.Join(root, "bin", "cloudquery")
	for _, b := range []struct {
		out *string
		pkg string
	}{
		{&bin.plugin, "."},
		{&bin.destination, "./test/pgdest/cmd/cq-destination-pgtest"},
		{&bin.emulator, "./test/emulator/cmd/awsemu"},
		{&bin.kmsaudit, "./cmd/kmsaudit"},
	} {
		*b.out = filepath.Join(dir, filepath.Base(strings.TrimPrefix(b.pkg, ".")))
		if b.pkg == "." {
			*b.out = filepath.Join(dir, "cq-source-awskms")
		}
		cmd := exec.Command("go", "build", "-buildvcs=false", "-o", *b.out, b.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// requireTools skips in -short runs, and fails (never skips) under CI when a part is missing.
func requireTools(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: needs the CloudQuery CLI and PostgreSQL")
	}
	if bin.err != nil {
		t.Fatal(bin.err)
	}
	if _, err := os.Stat(bin.cloudquery); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not found: build it with `make cloudquery` (required when CI is set)", bin.cloudquery)
		}
		t.Fatalf("%s not found under CI: .ci/run builds it with test/scripts/build-cloudquery.sh", bin.cloudquery)
	}
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

// emulatorProcess is awsemu running as a child process.
type emulatorProcess struct {
	URL   string
	World *emulator.World // the same data, generated in-process from the same config
	cfg   emulator.Config
}

// startEmulator runs awsemu with cfg and builds the identical World in-process to compare with.
func startEmulator(t *testing.T, cfg emulator.Config) *emulatorProcess {
	t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "emulator.json")
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin.emulator, "-addr", "127.0.0.1:0", "-config", cfgPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url, err := readEndpoint(stdout)
	if err != nil {
		t.Fatalf("awsemu did not start: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &emulatorProcess{URL: url, World: emulator.NewWorld(cfg), cfg: cfg}
}

func readEndpoint(r io.Reader) (string, error) {
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), "export AWS_ENDPOINT_URL="); ok {
			return url, nil
		}
	}
	return "", errors.New("no AWS_ENDPOINT_URL line on its output")
}

// mutate applies one change to the emulator process and the same change to the local World.
func (e *emulatorProcess) mutate(t *testing.T, op map[string]string) {
	t.Helper()
	raw, _ := json.Marshal(op)
	resp, err := http.Post(e.URL+"/_emu/mutate", "application/json", strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
		t.Fatalf("mutate %v: %v %s", op, err, out.Error)
	}
	switch op["op"] {
	case "RevokeGrant":
		err = e.World.RevokeGrant(op["account"], op["region"], op["keyId"], op["grantId"])
	case "DeleteAlias":
		err = e.World.DeleteAlias(op["account"], op["region"], op["aliasName"])
	case "AddKey":
		if e.World.AddKey(op["account"], op["region"]) == nil {
			err = errors.New("AddKey: no such account or region")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// stats reads the emulator's call counters, one entry per account, region and operation.
func (e *emulatorProcess) stats(t *testing.T) []emulator.StatEntry {
	t.Helper()
	resp, err := http.Get(e.URL + "/_emu/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []emulator.StatEntry
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("/_emu/stats: %v", err)
	}
	return out
}

// cliRun is one `cloudquery` invocation's result.
type cliRun struct {
	output string
	log    string
	err    error
}

// runCLI runs `cloudquery <args>` with the emulator's management credentials and everything the
// CLI writes kept in dir.
func runCLI(ctx context.Context, t *testing.T, dir string, env []string, args ...string) cliRun {
	t.Helper()
	logFile := filepath.Join(dir, "cloudquery.log")
	_ = os.Remove(logFile)
	args = append(args, "--cq-dir", filepath.Join(dir, ".cq"), "--log-file-name", logFile, "--log-level", "debug")
	cmd := exec.CommandContext(ctx, bin.cloudquery, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	logs, _ := os.ReadFile(logFile)
	return cliRun{output: string(out), log: string(logs), err: err}
}

// awsEnv are the management account's credentials, with the machine's own AWS setup kept out.
func awsEnv(t *testing.T, account string) []string {
	akid, secret := emulator.AccessKeyFor(account)
	dir := t.TempDir()
	return []string{
		"CQ_TELEMETRY_LEVEL=none",
		"AWS_ACCESS_KEY_ID=" + akid,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_ENDPOINT_URL=",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// syncConfig is a CloudQuery config syncing every table of the plugin into PostgreSQL.
func syncConfig(sourceSpec map[string]any, dsn string) string {
	spec, _ := json.Marshal(sourceSpec)
	return fmt.Sprintf(`kind: source
spec:
  name: awskms
  registry: local
  path: %q
  tables: ["*"]
  destinations: ["pgtest"]
  backend_options:
    table_name: cq_state_awskms
    connection: "@@plugins.pgtest.connection"
  spec: %s
---
kind: destination
spec:
  name: pgtest
  registry: local
  path: %q
  write_mode: overwrite-delete-stale
  spec:
    connection_string: %q
`, bin.plugin, spec, bin.destination, dsn)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// strings returns the first column of a query as strings.
func column(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
