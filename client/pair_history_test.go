package client

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// memState is a state backend in memory: what CloudQuery's keeps between two syncs.
type memState map[string]string

func (m memState) SetKey(_ context.Context, k, v string) error        { m[k] = v; return nil }
func (m memState) GetKey(_ context.Context, k string) (string, error) { return m[k], nil }
func (memState) Flush(context.Context) error                          { return nil }
func (memState) Close() error                                         { return nil }

// The pairs the last sync remembers start first, longest first; the others keep their
// discovery order after them, and a remembered pair this sync does not have is ignored.
func TestPairsStartLongestFirstFromTheLastSync(t *testing.T) {
	pairs := []Pair{{"111", "eu-west-1"}, {"111", "us-east-1"}, {"222", "eu-west-1"}, {"222", "us-east-1"}, {"333", "us-east-1"}}
	state := memState{pairTimesKey: `{"222:eu-west-1": 4.5, "333:us-east-1": 61.2, "999:us-east-1": 80}`}
	c := &Client{pairs: pairs, State: state, logger: zerolog.Nop()}
	c.OrderPairsByLastSync(context.Background())
	want := []Pair{{"333", "us-east-1"}, {"222", "eu-west-1"}, {"111", "eu-west-1"}, {"111", "us-east-1"}, {"222", "us-east-1"}}
	if !slices.Equal(c.pairs, want) {
		t.Errorf("pairs start in the order %v, want %v", c.pairs, want)
	}

	// No times (a first sync, or no backend_options) and unreadable times keep discovery order.
	for _, raw := range []string{"", "not json"} {
		c := &Client{pairs: slices.Clone(pairs), State: memState{pairTimesKey: raw}, logger: zerolog.Nop()}
		c.OrderPairsByLastSync(context.Background())
		if !slices.Equal(c.pairs, pairs) {
			t.Errorf("times %q: pairs start in the order %v, want discovery order", raw, c.pairs)
		}
	}
}

// A sync hands the state backend its pairs' times admitted, at most pairTimesKept of them, the
// longest; a pair admitted twice (its tables ran apart) counts both times.
func TestSavedPairTimesAreTheSlowest(t *testing.T) {
	g := newPairGate(2)
	g.took[Pair{"111", "us-east-1"}] = 1500 * time.Millisecond
	g.took[Pair{"222", "us-east-1"}] = 30 * time.Second
	state := memState{}
	c := &Client{gate: g, State: state}
	if err := c.SavePairTimes(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal([]byte(state[pairTimesKey]), &got); err != nil {
		t.Fatal(err)
	}
	if want := map[string]float64{"111:us-east-1": 1.5, "222:us-east-1": 30}; !maps.Equal(got, want) {
		t.Errorf("saved %v, want %v", got, want)
	}

	took := map[Pair]time.Duration{}
	for i := range pairTimesKept + 10 {
		took[Pair{"acct", string(rune('a' + i))}] = time.Duration(i+1) * time.Second
	}
	kept := slowest(took, pairTimesKept)
	if len(kept) != pairTimesKept {
		t.Fatalf("kept %d pair times, want %d", len(kept), pairTimesKept)
	}
	for i := range 10 {
		if p := (Pair{"acct", string(rune('a' + i))}); kept[p.String()] != 0 {
			t.Errorf("kept %s (%v), one of the 10 fastest", p, took[p])
		}
	}

	root := &Client{gate: newPairGate(1)}
	c2 := *root
	c2.AccountID, c2.Region = "111", "us-east-1"
	for range 2 {
		leave, err := c2.AdmitPair(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		leave()
	}
	if got := root.gate.times()[Pair{"111", "us-east-1"}]; got < 40*time.Millisecond {
		t.Errorf("a pair admitted twice for 20 ms counts %v, want at least 40 ms", got)
	}
}
