package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/serve"
	"github.com/jackc/pgx/v5"

	"github.com/kmsaudit/cq-source-awskms/internal/cputime"
	awskms "github.com/kmsaudit/cq-source-awskms/resources/plugin"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// The runs through the real CloudQuery CLI start three plugins, all of them this executable under
// another name (a symlink per role, as the CLI passes every plugin the same arguments and
// environment): the awskms source, the floor source (floor.go) and the pgtest destination.
const (
	binSource = "cq-source-awskms"
	binFloor  = "cq-source-awskms-floor"
	binDest   = pgdest.BinaryName
	// rssDirEnv names the directory where a served plugin writes its peak RSS (<role>.rss).
	rssDirEnv = "AWSKMS_BENCH_RSS_DIR"
)

// servedRole is the plugin this executable serves when the CLI started it under a role's name.
func servedRole() (func() error, bool) {
	name := filepath.Base(os.Args[0])
	switch name {
	case binSource:
		return func() error { return servePlugin(name, serve.Plugin(awskms.Plugin())) }, true
	case binFloor:
		return func() error { return servePlugin(name, serve.Plugin(floorPlugin())) }, true
	case binDest:
		return func() error { return servePlugin(name, serve.Plugin(pgdest.Plugin())) }, true
	}
	return nil, false
}

// servePlugin serves p over gRPC as the CLI asks, writing the process's peak RSS (bytes) and CPU
// time (seconds) to $AWSKMS_BENCH_RSS_DIR/<name>.rss every 200 ms: the CLI may end the plugin with
// a signal, and the last sample survives it.
func servePlugin(name string, p *serve.PluginServe) error {
	if dir := os.Getenv(rssDirEnv); dir != "" {
		path := filepath.Join(dir, name+".rss")
		write := func() {
			if n, err := peakRSS(); err == nil {
				_ = os.WriteFile(path, fmt.Appendf(nil, "%d %f", n, cputime.Process().Seconds()), 0o600)
			}
		}
		go func() {
			for {
				write()
				time.Sleep(200 * time.Millisecond)
			}
		}()
		defer write()
	}
	if dir := os.Getenv(pluginProfileEnv); dir != "" && name == binSource {
		stop, err := profileFor(filepath.Join(dir, name+".cpu.pprof"), filepath.Join(dir, name+".heap.pprof"), pluginProfileFor)
		if err != nil {
			return err
		}
		defer stop()
	}
	return p.Serve(context.Background())
}

// pluginProfileEnv names a directory where the source plugin, served to the CLI, writes a CPU
// profile of its first pluginProfileFor (the CLI may end the plugin with a signal, so the
// profile is written when that time is up, not at exit).
const (
	pluginProfileEnv = "AWSKMS_BENCH_PLUGIN_PROFILE"
	pluginProfileFor = 40 * time.Second
)

// cliBench holds what every CLI run shares: the CLI, this executable under each plugin's name,
// and one throwaway PostgreSQL server.
type cliBench struct {
	dir        string
	cloudquery string
	pg         *pgtest.Server
	pgDir      string
	bins       map[string]string
}

// startCLIBench finds bin/cloudquery, links this executable under the plugins' names and starts
// PostgreSQL (test/pgtest) in dir.
func startCLIBench(dir string) (*cliBench, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	b := &cliBench{dir: dir, cloudquery: filepath.Join(root, "bin", "cloudquery"), bins: map[string]string{}}
	if _, err := os.Stat(b.cloudquery); err != nil {
		return nil, fmt.Errorf("%s not found: build it with `make cloudquery` (the runs through the CLI need it)", b.cloudquery)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	for _, name := range []string{binSource, binFloor, binDest} {
		link := filepath.Join(dir, "bin", name)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return nil, err
		}
		_ = os.Remove(link)
		if err := os.Symlink(self, link); err != nil {
			return nil, err
		}
		b.bins[name] = link
	}
	// The server runs as the postgres account when the benchmark runs as root: its directory
	// must be reachable, so it gets one of its own under the temporary directory.
	if b.pgDir, err = os.MkdirTemp("", "awskms-bench-pg-"); err != nil {
		return nil, err
	}
	if err := os.Chmod(b.pgDir, 0o755); err != nil {
		return nil, err
	}
	if b.pg, err = pgtest.StartServer(b.pgDir); err != nil {
		_ = os.RemoveAll(b.pgDir)
		return nil, fmt.Errorf("PostgreSQL (test/pgtest; PGTEST_BIN_DIR points at initdb/postgres): %w", err)
	}
	return b, nil
}

// Stop stops PostgreSQL and removes its files.
func (b *cliBench) Stop() {
	if b != nil && b.pg != nil {
		_ = b.pg.Stop()
		_ = os.RemoveAll(b.pgDir)
	}
}

// newDatabase creates an empty database for one run and returns its DSN.
func (b *cliBench) newDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", err
	}
	return strings.Replace(b.pg.DSN(), "/postgres?", "/"+name+"?", 1), nil
}

// cliSync is one `cloudquery sync`.
type cliSync struct {
	// Source is the source plugin's executable name (binSource or binFloor) and Spec its spec.
	Source string
	Spec   any
	// SkipTables are left out of the sync; State keeps incremental tables' cursors in the
	// destination (CloudQuery's backend_options).
	SkipTables []string
	State      bool
	DSN        string
	// Env is added to the CLI's environment, which the plugins inherit.
	Env []string
}

// cliResult is what one CLI sync took.
type cliResult struct {
	Wall float64
	// PeakRSS is the source plugin process's resident set high-water mark, in bytes; CPU its user
	// and system time, in seconds.
	PeakRSS int64
	CPU     float64
	// CLICPU is the CLI's CPU time with that of the plugins it ran and waited for (the source's
	// included); PostgresCPU the PostgreSQL server's during the sync. Both in seconds.
	CLICPU, PostgresCPU float64
	// Rows per table, counted in PostgreSQL after the sync.
	Rows map[string]int64
}

func (r cliResult) rows() (n int64) {
	for _, v := range r.Rows {
		n += v
	}
	return n
}

func (r cliResult) rowsPerSecond() float64 { return float64(r.rows()) / r.Wall }

// cpuPerRow is the source plugin's CPU time per row written, in microseconds.
func (r cliResult) cpuPerRow() float64 { return r.CPU * 1e6 / float64(max(1, r.rows())) }

// run writes the config, runs `cloudquery sync` and counts the rows it wrote.
func (b *cliBench) run(ctx context.Context, dir string, s cliSync) (cliResult, error) {
	spec, err := json.Marshal(s.Spec)
	if err != nil {
		return cliResult{}, err
	}
	skip, _ := json.Marshal(append([]string{}, s.SkipTables...))
	tables, _ := json.Marshal(benchTables)
	backend := ""
	if s.State {
		backend = "\n  backend_options:\n    table_name: cq_state_awskms\n    connection: \"@@plugins.pgtest.connection\""
	}
	config := fmt.Sprintf(`kind: source
spec:
  name: awskms
  registry: local
  path: %q
  tables: %s
  skip_tables: %s
  destinations: ["pgtest"]%s
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
`, b.bins[s.Source], tables, skip, backend, spec, b.bins[binDest], s.DSN)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cliResult{}, err
	}
	configPath := filepath.Join(dir, "sync.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return cliResult{}, err
	}
	rssPath := filepath.Join(dir, s.Source+".rss")
	_ = os.Remove(rssPath)
	cmd := exec.CommandContext(ctx, b.cloudquery, "sync", configPath, "--cq-dir", filepath.Join(dir, ".cq"),
		"--log-file-name", filepath.Join(dir, "cloudquery.log"), "--log-level", "debug")
	cmd.Env = append(append(os.Environ(), "CQ_TELEMETRY_LEVEL=none", rssDirEnv+"="+dir), s.Env...)
	pgBefore := procCPU(b.pg.Pid(), true)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	res := cliResult{Wall: time.Since(start).Seconds(), PostgresCPU: (procCPU(b.pg.Pid(), true) - pgBefore).Seconds()}
	if cmd.ProcessState != nil {
		res.CLICPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	if err != nil {
		return res, fmt.Errorf("cloudquery sync (%s): %v\n%s", dir, err, lastLines(string(out), 20))
	}
	if raw, err := os.ReadFile(rssPath); err == nil {
		_, _ = fmt.Sscanf(string(raw), "%d %f", &res.PeakRSS, &res.CPU)
	}
	res.Rows, err = countRows(ctx, s.DSN)
	return res, err
}

// countRows counts the rows of every aws_ table of the database.
func countRows(ctx context.Context, dsn string) (map[string]int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'aws\_%'`)
	if err != nil {
		return nil, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out[t] = n
		}
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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
			return "", errors.New("go.mod not found above the working directory: run the benchmark from the repository")
		}
		dir = parent
	}
}
