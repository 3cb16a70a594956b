package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
)

type testClient struct{}

func (testClient) ID() string { return "test" }

type item struct {
	ID int64 `json:"id"`
}

// testTables are a parent emitting n items in sends of 7, each with one child row, and an
// optional pause after the first send.
func testTables(t *testing.T, n int, pause time.Duration) schema.Tables {
	child := &schema.Table{
		Name: "child",
		Resolver: func(_ context.Context, _ schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
			res <- parent.Item
			return nil
		},
		Transform: transformers.TransformWithStruct(&item{}),
	}
	parent := &schema.Table{
		Name: "parent",
		Resolver: func(ctx context.Context, _ schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
			for first := 0; first < n; first += 7 {
				var page []*item
				for i := first; i < min(n, first+7); i++ {
					page = append(page, &item{ID: int64(i)})
				}
				res <- page
				if first == 0 && pause > 0 {
					select {
					case <-time.After(pause):
					case <-ctx.Done():
					}
				}
			}
			return nil
		},
		Transform: transformers.TransformWithStruct(&item{}, transformers.WithPrimaryKeyComponents("ID")),
		Relations: schema.Tables{child},
	}
	return prepared(t, parent)
}

// prepared makes tables out of parents as the plugin does: columns from their transforms,
// parents set, _cq_id columns added.
func prepared(t *testing.T, parents ...*schema.Table) schema.Tables {
	tables := schema.Tables(parents)
	if err := transformers.TransformTables(tables); err != nil {
		t.Fatal(err)
	}
	transformers.SetParents(tables, nil)
	for _, tb := range tables {
		schema.AddCqIDs(tb)
	}
	return tables
}

// Every row arrives once, in records of one table with at most BatchRows rows each, most of them
// full.
func TestRowsLeaveInRecordsOfATable(t *testing.T) {
	const n = 1234
	msgs, err := NewScheduler(WithConcurrency(1000)).SyncAll(context.Background(), testClient{}, testTables(t, n, 0))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	ids := map[string]map[int64]bool{"parent": {}, "child": {}}
	records := 0
	for _, m := range msgs {
		insert, ok := m.(*message.SyncInsert)
		if !ok {
			continue
		}
		records++
		rec := insert.Record
		table, _ := rec.Schema().Metadata().GetValue(schema.MetadataTableName)
		if rec.NumRows() < 1 || rec.NumRows() > BatchRows {
			t.Errorf("a record of %s holds %d rows, want 1 to %d", table, rec.NumRows(), BatchRows)
		}
		rows[table] += rec.NumRows()
		col := rec.Column(rec.Schema().FieldIndices("id")[0]).(interface{ Value(int) int64 })
		for i := range int(rec.NumRows()) {
			if ids[table][col.Value(i)] {
				t.Errorf("%s row %d sent twice", table, col.Value(i))
			}
			ids[table][col.Value(i)] = true
		}
	}
	if rows["parent"] != n || rows["child"] != n {
		t.Errorf("rows = %v, want %d of each table", rows, n)
	}
	if records > 2*(n/BatchRows+1)+4 {
		t.Errorf("%d records for %d rows: the rows were not batched", records, 2*n)
	}
}

// A row waits at most batchWait for its record to fill: the first send's rows leave while the
// resolver is still paused.
func TestRowsLeaveWithinBatchWait(t *testing.T) {
	res := make(chan message.SyncMessage)
	start := time.Now()
	go func() {
		_ = NewScheduler(WithConcurrency(1000)).Sync(context.Background(), testClient{}, testTables(t, 14, 3*time.Second), res)
		close(res)
	}()
	for m := range res {
		if _, ok := m.(*message.SyncInsert); ok {
			if waited := time.Since(start); waited > 2*time.Second {
				t.Errorf("the first rows left %s in, after the resolver's pause: they waited for the batch to fill", waited)
			}
			break
		}
	}
	for range res {
	}
}
