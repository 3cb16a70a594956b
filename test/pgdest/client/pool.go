package client

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
)

// maxConns bounds the connections one client opens: a sync's writes plus the state backend's reads.
const maxConns = 4

// connPool is a minimal connection pool. (pgxpool needs a module the pinned go.mod does not list.)
type connPool struct {
	config *pgx.ConnConfig
	// slots holds one token per connection that may still be opened.
	slots chan struct{}
	idle  chan *pgx.Conn

	mu     sync.Mutex
	closed bool
}

func newConnPool(config *pgx.ConnConfig) *connPool {
	p := &connPool{
		config: config,
		slots:  make(chan struct{}, maxConns),
		idle:   make(chan *pgx.Conn, maxConns),
	}
	for range maxConns {
		p.slots <- struct{}{}
	}
	return p
}

var errPoolClosed = errors.New("connection pool is closed")

// acquire returns an idle connection, opens a new one while under the limit, or waits.
func (p *connPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	for {
		// Prefer an idle connection to opening another one.
		select {
		case conn := <-p.idle:
			if p.usable(conn) {
				return conn, nil
			}
			continue
		default:
		}
		select {
		case conn := <-p.idle:
			if p.usable(conn) {
				return conn, nil
			}
		case <-p.slots:
			if p.isClosed() {
				p.slots <- struct{}{}
				return nil, errPoolClosed
			}
			conn, err := pgx.ConnectConfig(ctx, p.config.Copy())
			if err != nil {
				p.slots <- struct{}{}
				return nil, err
			}
			return conn, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// usable reports whether an idle connection still works; a dead one gives its slot back.
func (p *connPool) usable(conn *pgx.Conn) bool {
	if conn.IsClosed() {
		p.slots <- struct{}{}
		return false
	}
	return true
}

// release returns a connection to the pool. Connections left inside a transaction or broken are closed.
func (p *connPool) release(conn *pgx.Conn) {
	if p.isClosed() || conn.IsClosed() || conn.PgConn().TxStatus() != 'I' {
		_ = conn.Close(context.Background())
		p.slots <- struct{}{}
		return
	}
	p.idle <- conn
}

// with runs fn on a pooled connection.
func (p *connPool) with(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	conn, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(conn)
	return fn(conn)
}

// close closes idle connections; connections in use are closed when released.
func (p *connPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case conn := <-p.idle:
			_ = conn.Close(context.Background())
			p.slots <- struct{}{}
		default:
			return
		}
	}
}

func (p *connPool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}
