package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// resourceTimeout is how long a resource's resolvers may take.
const resourceTimeout = 10 * time.Minute

// resourceContext is context.WithTimeout(parent, timeout) for one resource, made only when a
// resolver first looks at it (Done, Err or Value): most rows' column resolvers read the item and
// never do, and a timer context per row, registered with the sync's context that every row
// shares, cost more than most columns. Until then only Deadline answers, from the deadline kept.
type resourceContext struct {
	parent   context.Context
	deadline time.Time

	ctx    atomic.Pointer[context.Context]
	mu     sync.Mutex
	cancel context.CancelFunc
	ended  bool
}

func newResourceContext(parent context.Context, timeout time.Duration) *resourceContext {
	return &resourceContext{parent: parent, deadline: time.Now().Add(timeout)}
}

// made is the context itself, made on first use; once the resource is done, made cancelled.
func (c *resourceContext) made() context.Context {
	if ctx := c.ctx.Load(); ctx != nil {
		return *ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx := c.ctx.Load(); ctx != nil {
		return *ctx
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.ended {
		cancel()
	}
	c.cancel = cancel
	c.ctx.Store(&ctx)
	return ctx
}

// end is the cancel function of context.WithTimeout.
func (c *resourceContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended = true
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *resourceContext) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *resourceContext) Done() <-chan struct{} { return c.made().Done() }

func (c *resourceContext) Err() error { return c.made().Err() }

func (c *resourceContext) Value(key any) any { return c.made().Value(key) }
