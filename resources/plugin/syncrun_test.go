package plugin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"
)

// logCapture collects the plugin's zerolog output; the scheduler logs from many goroutines.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logEntry is one decoded zerolog line.
type logEntry map[string]any

func (e logEntry) str(field string) string {
	s, _ := e[field].(string)
	return s
}

func (e logEntry) num(field string) int {
	n, _ := e[field].(float64)
	return int(n)
}

// Entries decodes every line; a line that is not JSON fails the test (zerolog writes JSON only).
func (l *logCapture) Entries(t *testing.T) []logEntry {
	t.Helper()
	var out []logEntry
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e logEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		out = append(out, e)
	}
	return out
}

// withMessage keeps the entries whose message is msg.
func withMessage(entries []logEntry, msg string) []logEntry {
	var out []logEntry
	for _, e := range entries {
		if e.str("message") == msg {
			out = append(out, e)
		}
	}
	return out
}

// syncResult is what one in-process sync produced.
type syncResult struct {
	msgs message.SyncMessages
	// initErr is the error of Init (spec parsing and discovery), syncErr the one of Sync.
	initErr, syncErr error
	logs             *logCapture
	// elapsed is how long the sync took, after Init.
	elapsed time.Duration
}

// syncOptions adjust runSync.
type syncOptions struct {
	// level is the plugin's log level; the zero value is Debug, so tests see everything the
	// plugin logs short of trace.
	level zerolog.Level
	// syncTimeout bounds the sync, counted once Init returned; default 5 minutes.
	syncTimeout time.Duration
}

// runSync runs the plugin in-process like syncAll, capturing its log output.
func runSync(t *testing.T, spec map[string]any, opts syncOptions) syncResult {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	res := syncResult{logs: &logCapture{}}
	initCtx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := Plugin()
	p.SetLogger(zerolog.New(res.logs).Level(opts.level))
	if res.initErr = p.Init(initCtx, raw, plugin.NewClientOptions{}); res.initErr != nil {
		return res
	}
	defer p.Close(initCtx)
	timeout := opts.syncTimeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	syncCtx, cancelSync := context.WithTimeout(context.Background(), timeout)
	defer cancelSync()
	start := time.Now()
	res.msgs, res.syncErr = p.SyncAll(syncCtx, plugin.SyncOptions{Tables: []string{"*"}, DeterministicCQID: true})
	res.elapsed = time.Since(start)
	return res
}
