package scheduler

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
)

type namedClient string

func (c namedClient) ID() string { return string(c) }

// With an admission gate, the round-robin strategy asks for each table-client's admission in the
// order the multiplexers list the clients, every table of a client together, even when one table
// lists fewer clients (a service offered in fewer regions); and each run leaves when it ends.
func TestRoundRobinAdmitsClientsInTheirOrder(t *testing.T) {
	all := []schema.ClientMeta{namedClient("c"), namedClient("a"), namedClient("d"), namedClient("b")}
	fewer := []schema.ClientMeta{namedClient("d"), namedClient("b")}
	table := func(name string, clients []schema.ClientMeta) *schema.Table {
		return &schema.Table{
			Name:      name,
			Multiplex: func(schema.ClientMeta) []schema.ClientMeta { return clients },
			Resolver: func(_ context.Context, _ schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
				res <- &item{ID: 1}
				return nil
			},
			Transform: transformers.TransformWithStruct(&item{}, transformers.WithPrimaryKeyComponents("ID")),
		}
	}
	tables := prepared(t, table("keys", all), table("clusters", fewer), table("aliases", all))

	var mu sync.Mutex
	var asked []string
	running := map[string]int{}
	admit := func(_ context.Context, c schema.ClientMeta) (func(), error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, c.ID())
		running[c.ID()]++
		return func() {
			mu.Lock()
			defer mu.Unlock()
			running[c.ID()]--
		}, nil
	}
	s := NewScheduler(WithConcurrency(1000), WithStrategy(StrategyRoundRobin), WithAdmission(admit))
	if _, err := s.SyncAll(context.Background(), namedClient("root"), tables); err != nil {
		t.Fatal(err)
	}
	// c's two tables, a's two, d's three, b's three: in the order "keys" lists them.
	want := []string{"c", "c", "a", "a", "d", "d", "d", "b", "b", "b"}
	if !slices.Equal(asked, want) {
		t.Errorf("admissions asked in the order %v, want %v", asked, want)
	}
	for id, n := range running {
		if n != 0 {
			t.Errorf("client %s: %d runs never left", id, n)
		}
	}
}
