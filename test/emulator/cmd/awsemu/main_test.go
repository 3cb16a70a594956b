package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func TestFlagsOverrideTheConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "world.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"seed": 7, "hotKeyGrants": 3, "server": {"latency": {"fixed": "5ms"}}}`), 0o600))
	cfg, addr, err := parseFlags([]string{"-config", path, "-hot-key-grants", "9", "-regions", "eu-west-1,eu-central-1", "-addr", "127.0.0.1:0"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:0", addr)
	assert.Equal(t, int64(7), cfg.Seed, "from the file")
	assert.Equal(t, 9, cfg.HotKeyGrants, "the flag wins")
	assert.Equal(t, []string{"eu-west-1", "eu-central-1"}, cfg.Regions)
	assert.Equal(t, emulator.Duration(5_000_000), cfg.Server.Latency.Fixed)
	assert.Equal(t, emulator.DefaultConfig().ManagementAccount, cfg.ManagementAccount, "unset fields keep their defaults")

	_, _, err = parseFlags([]string{"-hot-key-grants", "60000"})
	assert.Error(t, err, "invalid configs are refused before serving")
}

func TestRunPrintsTheEndpointAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-hot-key-grants", "0"}, stdout) }()

	exports := map[string]string{}
	lines := bufio.NewScanner(out)
	for len(exports) < 4 && lines.Scan() {
		if name, value, ok := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "="); ok {
			exports[name] = value
		}
	}
	go io.Copy(io.Discard, out)
	akid, secret := emulator.AccessKeyFor(emulator.DefaultConfig().ManagementAccount)
	assert.Equal(t, akid, exports["AWS_ACCESS_KEY_ID"])
	assert.Equal(t, secret, exports["AWS_SECRET_ACCESS_KEY"])

	resp, err := http.Get(exports["AWS_ENDPOINT_URL"] + "/_emu/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
}
