package client

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

func TestConnPoolBoundsConnectionsAndReusesThem(t *testing.T) {
	config, err := pgx.ParseConfig(pgtest.Start(t))
	require.NoError(t, err)
	pool := newConnPool(config)
	defer pool.close()
	ctx := context.Background()

	var conns []*pgx.Conn
	for range maxConns {
		conn, err := pool.acquire(ctx)
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = pool.acquire(waitCtx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "acquire beyond the limit must wait")

	pool.release(conns[0])
	again, err := pool.acquire(ctx)
	require.NoError(t, err)
	require.Same(t, conns[0], again, "an idle connection is reused")

	// A connection released inside a transaction is closed rather than handed to the next caller.
	_, err = again.Exec(ctx, "BEGIN")
	require.NoError(t, err)
	pool.release(again)
	require.True(t, again.IsClosed())
	fresh, err := pool.acquire(ctx)
	require.NoError(t, err)
	require.NotSame(t, again, fresh)
	require.NoError(t, fresh.Ping(ctx))

	pool.release(fresh)
	for _, c := range conns[1:] {
		pool.release(c)
	}
	pool.close()
	_, err = pool.acquire(ctx)
	require.Error(t, err, "a closed pool hands out no connections")
}
