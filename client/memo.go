package client

import "sync"

// memo holds values computed once per sync and shared by every scoped client, such as an
// account-region's index of CloudTrail events.
type memo struct {
	mu      sync.Mutex
	entries map[string]*memoEntry
}

type memoEntry struct {
	once  sync.Once
	value any
	err   error
}

// Memo returns the value stored under key, building it on first use; concurrent callers wait
// for the one build.
func (c *Client) Memo(key string, build func() (any, error)) (any, error) {
	c.memo.mu.Lock()
	e, ok := c.memo.entries[key]
	if !ok {
		e = &memoEntry{}
		c.memo.entries[key] = e
	}
	c.memo.mu.Unlock()
	e.once.Do(func() { e.value, e.err = build() })
	return e.value, e.err
}
