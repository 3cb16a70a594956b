package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
)

// A parent sent first whose child table runs long (a key with 50,000 grants) does not hold back
// the parents sent after it: the first parent's child waits until the second parent's child has
// run, which the SDK's scheduler never let happen (it took the next send only once every child
// of the previous one had finished).
func TestASlowChildDoesNotHoldBackLaterSends(t *testing.T) {
	secondChildRan := make(chan struct{})
	child := &schema.Table{
		Name: "child",
		Resolver: func(ctx context.Context, _ schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
			it := parent.Item.(*item)
			if it.ID == 2 {
				close(secondChildRan)
			} else {
				select {
				case <-secondChildRan:
				case <-time.After(5 * time.Second):
					t.Error("the first parent's child waited 5 s: the second send was not resolved while it ran")
				}
			}
			res <- it
			return nil
		},
		Transform: transformers.TransformWithStruct(&item{}),
	}
	parent := &schema.Table{
		Name: "parent",
		Resolver: func(_ context.Context, _ schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
			res <- []*item{{ID: 1}}
			res <- []*item{{ID: 2}}
			return nil
		},
		Transform: transformers.TransformWithStruct(&item{}, transformers.WithPrimaryKeyComponents("ID")),
		Relations: schema.Tables{child},
	}
	tables := prepared(t, parent)
	msgs, err := NewScheduler(WithConcurrency(1000)).SyncAll(context.Background(), testClient{}, tables)
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(msgs); got["parent"] != 2 || got["child"] != 2 {
		t.Errorf("rows = %v, want 2 parents and 2 children", got)
	}
}

// countRows counts the rows of the insert messages per table.
func countRows(msgs message.SyncMessages) map[string]int64 {
	out := map[string]int64{}
	for _, m := range msgs {
		if insert, ok := m.(*message.SyncInsert); ok {
			table, _ := insert.Record.Schema().Metadata().GetValue(schema.MetadataTableName)
			out[table] += insert.Record.NumRows()
		}
	}
	return out
}

// A finished table run leaves no per-table semaphore behind: they would grow with the number of
// account-regions.
func TestFinishedRunsForgetTheirSemaphores(t *testing.T) {
	s := NewScheduler(WithConcurrency(1000))
	if _, err := s.SyncAll(context.Background(), testClient{}, testTables(t, 50, 0)); err != nil {
		t.Fatal(err)
	}
	s.singleTableConcurrency.Range(func(k, _ any) bool {
		t.Errorf("semaphore %v kept after the sync", k)
		return true
	})
}
