package client

import (
	"context"
	"encoding/json"
	"sync"
)

// A key with many pages of grants is a chain of ListGrants calls that no concurrency shortens,
// and it starts only when its turn comes among its account-region's keys, whose first pages go at
// ListGrants' 100 calls a second in ListKeys' order: a key listed 300th waits 3 s before its
// chain starts. So the keys whose grants ran beyond two pages in the last sync are kept in the
// state backend (backend_options), beside the pairs' times, and described first in their ListKeys
// page, most pages first; without one, keys go in ListKeys' order.

// longGrantListsKey is the state key of the last sync's long grant lists: a JSON object of pages
// per key ARN, for its longGrantListsKept longest.
const (
	longGrantListsKey  = "awskms_long_grant_lists"
	longGrantListsKept = 256
	// longGrantList is the fewest pages that make a list long: a two-page list is most
	// account-regions' busiest key, and not a chain.
	longGrantList = 3
)

// grantLists holds the pages of the keys' long grant lists: those of the last sync and this one's.
type grantLists struct {
	last map[string]int // read once, before the sync
	mu   sync.Mutex
	now  map[string]int
}

func newGrantLists() *grantLists { return &grantLists{now: map[string]int{}} }

// LoadLongGrantLists reads the last sync's long grant lists from the state backend. Pages that
// cannot be read are logged and ignored: they only order the work.
func (c *Client) LoadLongGrantLists(ctx context.Context) {
	if c.grantLists == nil {
		return
	}
	var pages map[string]int
	if !c.loadState(ctx, longGrantListsKey, &pages, "the last sync's long grant lists in the state backend are not readable; keys are described in ListKeys' order") {
		return
	}
	c.grantLists.last = pages
	c.logger.Info().Int("keys", len(pages)).Msg("keys whose grants took most pages in the last sync are described first in their account-region")
}

// LastGrantPages is how many pages the key's grants took in the last sync when they took at
// least longGrantList, else zero.
func (c *Client) LastGrantPages(keyARN string) int {
	if c.grantLists == nil {
		return 0
	}
	return c.grantLists.last[keyARN]
}

// NoteGrantPages records how many pages of grants the key's ListGrants read, for the next sync.
func (c *Client) NoteGrantPages(keyARN string, pages int) {
	if c.grantLists == nil || pages < longGrantList {
		return
	}
	c.grantLists.mu.Lock()
	defer c.grantLists.mu.Unlock()
	c.grantLists.now[keyARN] = pages
}

// SaveLongGrantLists hands the state backend this sync's longGrantListsKept longest grant lists
// (written when the state is flushed, after every row).
func (c *Client) SaveLongGrantLists(ctx context.Context) error {
	if c.grantLists == nil {
		return nil
	}
	c.grantLists.mu.Lock()
	kept := map[string]int{}
	for _, arn := range largest(c.grantLists.now, longGrantListsKept, func(arn string) string { return arn }) {
		kept[arn] = c.grantLists.now[arn]
	}
	c.grantLists.mu.Unlock()
	raw, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return c.State.SetKey(ctx, longGrantListsKey, string(raw))
}
