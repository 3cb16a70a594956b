package client

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// A pair's time is set mostly by its longest chain of pages (a key with 50,000 grants is 500
// ListGrants calls, each waiting for the one before), which no concurrency shortens: a long pair
// admitted last ends the sync last. So the pairs that took longest in the last sync are admitted
// first in the next (longest first). Their times are kept in the state backend (backend_options),
// beside the grant events' cursors; without one, pairs start in discovery order (account ID,
// then region).

// pairTimesKey is the state key of the last sync's pair times: a JSON object of seconds per
// "account:region" for its pairTimesKept slowest pairs.
const (
	pairTimesKey   = "awskms_pair_seconds"
	pairTimesKept  = 256
	pairTimesShown = 3
)

// OrderPairsByLastSync puts the pairs the state backend remembers as slowest first, slowest
// first, and keeps the others in discovery order after them. Times that cannot be read are
// logged and ignored: they only order the work.
func (c *Client) OrderPairsByLastSync(ctx context.Context) {
	var seconds map[string]float64
	if !c.loadState(ctx, pairTimesKey, &seconds, "the last sync's pair times in the state backend are not readable; pairs start in discovery order") {
		return
	}
	c.pairs = orderBySeconds(c.pairs, seconds)
	var first []string
	for _, p := range c.pairs[:min(pairTimesShown, len(c.pairs))] {
		if s, ok := seconds[p.String()]; ok {
			first = append(first, fmt.Sprintf("%s (%.1f s)", p, s))
		}
	}
	c.logger.Info().Int("remembered", len(seconds)).Strs("first", first).Msg("account-regions that took longest in the last sync start first")
}

// loadState decodes what the last sync saved under key into v. It reports false when nothing
// was saved (a first sync, or no backend_options) and, logging unreadable, when it cannot be
// decoded: what the state orders can always go in its default order.
func (c *Client) loadState(ctx context.Context, key string, v any, unreadable string) bool {
	raw, err := c.State.GetKey(ctx, key)
	if err != nil || raw == "" {
		return false
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		c.logger.Warn().Err(err).Str("state_key", key).Msg(unreadable)
		return false
	}
	return true
}

// orderBySeconds returns pairs with those in seconds first, most seconds first, and the others
// after them in their order.
func orderBySeconds(pairs []Pair, seconds map[string]float64) []Pair {
	type timed struct {
		Pair
		seconds    float64
		remembered bool
	}
	all := make([]timed, len(pairs))
	for i, p := range pairs {
		s, ok := seconds[p.String()]
		all[i] = timed{p, s, ok}
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		if a.remembered != b.remembered {
			if a.remembered {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.seconds, a.seconds)
	})
	out := make([]Pair, len(all))
	for i, t := range all {
		out[i] = t.Pair
	}
	return out
}

// SavePairTimes hands the state backend the times of this sync's slowest pairs for the next
// sync's order (written when the state is flushed, after every row).
func (c *Client) SavePairTimes(ctx context.Context) error {
	raw, err := json.Marshal(slowest(c.gate.times(), pairTimesKept))
	if err != nil {
		return err
	}
	return c.State.SetKey(ctx, pairTimesKey, string(raw))
}

// slowest keeps the n longest times, in seconds per "account:region".
func slowest(took map[Pair]time.Duration, n int) map[string]float64 {
	out := map[string]float64{}
	for _, p := range largest(took, n, Pair.String) {
		out[p.String()] = took[p].Seconds()
	}
	return out
}

// largest returns the keys of the n largest values of m, largest first, ties in the order of
// their names: what the state backend keeps of a sync's pairs or keys.
func largest[K comparable, V cmp.Ordered](m map[K]V, n int, name func(K) string) []K {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b K) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(name(a), name(b)))
	})
	return keys[:min(n, len(keys))]
}

// times is a copy of each pair's time admitted so far.
func (g *pairGate) times() map[Pair]time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.took)
}

// String names the pair as the scheduler's client ID does: "account:region".
func (p Pair) String() string { return p.AccountID + ":" + p.Region }
