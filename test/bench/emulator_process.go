package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// The emulator runs in a process of its own, so that the plugin process's peak RSS holds the
// plugin only, not the emulator's World.

// emulatorProfileEnv names a file where the emulator child writes a CPU profile of its whole
// life, for `go tool pprof` (e.g. AWSKMS_BENCH_EMULATOR_PROFILE=/tmp/emu.pprof make bench).
const emulatorProfileEnv = "AWSKMS_BENCH_EMULATOR_PROFILE"

// emulatorGCPercent is the emulator child's GOGC once its World is built (unless GOGC is set).
const emulatorGCPercent = 400

// serveEmulator is the child side: it serves the World of the config file until its stdin
// closes (the parent ended or finished), printing the URL on its first line.
func serveEmulator(configPath string) error {
	// The parent writes a complete Config; decoding it onto DefaultConfig (as LoadConfig does)
	// would bring back defaults the parent cleared, such as the default member accounts.
	raw, err := os.ReadFile(configPath)
	if err != nil {
		return err
	}
	var cfg emulator.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if path := os.Getenv(emulatorProfileEnv); path != "" {
		stop, err := cpuProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	// One P serves the emulator's load (a fraction of a core) with fewer wake-ups of idle
	// threads than two: each call sleeps through its latency, so the process idles between
	// calls. Measured at -grants 1: 132 -> 121 us a call.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	// The emulator's CPU is measured beside the plugin's, its memory is not; its World is hundreds
	// of MiB of pointers that every GC cycle marks again. So the World is built without
	// collecting, and then garbage is collected rarely.
	tuneGC := os.Getenv("GOGC") == ""
	if tuneGC {
		debug.SetGCPercent(-1)
	}
	w := emulator.NewWorld(cfg)
	if tuneGC {
		debug.SetGCPercent(emulatorGCPercent)
		// The first collection marks the whole World: do it now, before the sync starts.
		runtime.GC()
	}
	srv := emulator.NewServer(w)
	url, err := srv.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(url)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// emulatorProcess is the parent's handle on a running emulator child.
type emulatorProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	URL   string
}

// startEmulator writes cfg to dir and starts a child serving it; it returns once the child
// listens.
func startEmulator(ctx context.Context, dir string, cfg emulator.Config) (*emulatorProcess, error) {
	path := dir + "/emulator.json"
	raw, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, os.Args[0], roleEmulator, path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Wait()
		return nil, fmt.Errorf("emulator did not start: %w", err)
	}
	return &emulatorProcess{cmd: cmd, stdin: stdin, URL: strings.TrimSpace(line)}, nil
}

// Stats reads the emulator's call counters.
func (e *emulatorProcess) Stats(ctx context.Context) ([]emulator.StatEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/_emu/stats", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator stats: %s", resp.Status)
	}
	var out []emulator.StatEntry
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// CPU is the emulator's CPU time (user and system) so far, read from /proc; zero where /proc
// cannot be read. On a machine whose cores the plugin shares with the emulator, the emulator's
// CPU is time the plugin could not have.
func (e *emulatorProcess) CPU() time.Duration { return procCPU(e.cmd.Process.Pid, false) }

// Stop closes the child's stdin, which ends it, and waits for it.
func (e *emulatorProcess) Stop() error {
	_ = e.stdin.Close()
	return e.cmd.Wait()
}
