package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartGivesAWorkingDatabaseOnLoopback(t *testing.T) {
	dsn := Start(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", u.Hostname())

	conn := connect(t, dsn)
	ctx := context.Background()
	_, err = conn.Exec(ctx, `CREATE TABLE t (id bigint PRIMARY KEY, name text)`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO t VALUES (1, 'one')`)
	require.NoError(t, err)
	var name string
	require.NoError(t, conn.QueryRow(ctx, `SELECT name FROM t WHERE id = 1`).Scan(&name))
	require.Equal(t, "one", name)
}

func TestServerStopsAndRestartsWithItsData(t *testing.T) {
	if os.Getenv(skipEnv) == "1" {
		t.Skip("PGTEST_SKIP=1")
	}
	dir, err := os.MkdirTemp("", "pgtest-restart-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })

	srv, err := StartServer(dir)
	require.NoError(t, err)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.DSN())
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives restart')`)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	require.NoError(t, srv.Stop())
	require.NoError(t, srv.Stop(), "Stop is idempotent")

	_, err = pgx.Connect(ctx, srv.DSN())
	require.Error(t, err, "server still accepts connections after Stop")

	srv2, err := StartServer(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv2.Stop()) })
	conn2 := connect(t, srv2.DSN())
	var v string
	require.NoError(t, conn2.QueryRow(ctx, `SELECT v FROM kept`).Scan(&v))
	require.Equal(t, "survives restart", v)
}

func TestSharedServerGivesEachCallerAFreshDatabase(t *testing.T) {
	shared := Start(t)
	t.Setenv(dsnEnv, shared)
	admin := connect(t, shared)
	ctx := context.Background()

	var first string
	t.Run("first", func(t *testing.T) {
		first = Start(t)
		conn := connect(t, first)
		_, err := conn.Exec(ctx, `CREATE TABLE only_in_first (id int)`)
		require.NoError(t, err)
	})
	t.Run("second", func(t *testing.T) {
		second := Start(t)
		require.NotEqual(t, first, second)
		conn := connect(t, second)
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'`).Scan(&n))
		require.Zero(t, n, "second database sees the first one's table")
	})

	firstURL, err := url.Parse(first)
	require.NoError(t, err)
	var exists bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`,
		strings.TrimPrefix(firstURL.Path, "/")).Scan(&exists))
	require.False(t, exists, "database of a finished test was not dropped")
}

// outcomeTB records how Start ended a test instead of ending the real one.
type outcomeTB struct {
	testing.TB
	skipped, failed string
}

func (o *outcomeTB) Helper()        {}
func (o *outcomeTB) Cleanup(func()) {}
func (o *outcomeTB) Skipf(f string, args ...any) {
	o.skipped = fmt.Sprintf(f, args...)
	runtime.Goexit()
}
func (o *outcomeTB) Fatalf(f string, args ...any) {
	o.failed = fmt.Sprintf(f, args...)
	runtime.Goexit()
}

func runStart(tb *outcomeTB) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(tb)
	}()
	<-done
}

func TestStartSkipsOnlyWhenAskedTo(t *testing.T) {
	t.Setenv(skipEnv, "1")
	tb := &outcomeTB{TB: t}
	runStart(tb)
	require.Contains(t, tb.skipped, "PGTEST_SKIP=1")
	require.Empty(t, tb.failed)
}

func TestStartFailsWithTheFixWhenPostgresIsMissing(t *testing.T) {
	t.Setenv(skipEnv, "")
	t.Setenv(dsnEnv, "")
	t.Setenv(binDirEnv, t.TempDir())
	tb := &outcomeTB{TB: t}
	runStart(tb)
	require.Empty(t, tb.skipped, "a missing PostgreSQL must fail, not skip")
	require.Contains(t, tb.failed, "apt-get install -y postgresql")
	require.Contains(t, tb.failed, "PGTEST_SKIP=1")
}
