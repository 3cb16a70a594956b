package scheduler

import (
	"context"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/google/uuid"
)

// The scheduler's _cq_id is the SDK's Resource.CalculateCQID: the same for a table with
// primary-key components (two, given out of name order, so the order they are hashed in
// counts), random for one without, and nothing for a table without a _cq_id column. Columns
// without a resolver still take the item's field of their name.
func TestCQIDAsSDK(t *testing.T) {
	type row struct {
		Zone string
		Name string
		Size int64
	}
	table := &schema.Table{Name: "t", Transform: transformers.TransformWithStruct(&row{}, transformers.WithPrimaryKeyComponents("Zone", "Name"))}
	if err := transformers.TransformTables(schema.Tables{table}); err != nil {
		t.Fatal(err)
	}
	schema.AddCqIDs(table)
	noPK := &schema.Table{Name: "n", Transform: transformers.TransformWithStruct(&row{})}
	if err := transformers.TransformTables(schema.Tables{noPK}); err != nil {
		t.Fatal(err)
	}
	schema.AddCqIDs(noPK)
	noCQID := &schema.Table{Name: "x", Transform: transformers.TransformWithStruct(&row{}, transformers.WithPrimaryKeyComponents("Name"))}
	if err := transformers.TransformTables(schema.Tables{noCQID}); err != nil {
		t.Fatal(err)
	}
	s := &syncClient{scheduler: NewScheduler(), deterministicCQID: true}
	resolved := func(table *schema.Table, item *row) (mine, sdk *schema.Resource) {
		for _, r := range []**schema.Resource{&mine, &sdk} {
			*r = schema.NewResourceData(table, nil, item)
			for _, c := range table.Columns {
				if c.Resolver != nil {
					if err := c.Resolver(context.Background(), nil, *r, c); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := s.calculateCQID(mine); err != nil {
			t.Fatal(err)
		}
		if err := sdk.CalculateCQID(true); err != nil {
			t.Fatal(err)
		}
		return mine, sdk
	}
	for _, item := range []*row{{Zone: "a", Name: "b", Size: 1}, {Zone: "ab", Name: ""}, {Zone: "", Name: "ab"}} {
		mine, sdk := resolved(table, item)
		if got, want := mine.Get("_cq_id").String(), sdk.Get("_cq_id").String(); got != want || !mine.Get("_cq_id").IsValid() {
			t.Errorf("%+v: _cq_id %s, the SDK's %s", item, got, want)
		}
	}
	a, _ := resolved(noPK, &row{Zone: "a"})
	b, _ := resolved(noPK, &row{Zone: "a"})
	if a.Get("_cq_id").String() == b.Get("_cq_id").String() {
		t.Errorf("two rows of a table without primary-key components share the _cq_id %s: want random ones", a.Get("_cq_id"))
	}
	if _, err := uuid.Parse(a.Get("_cq_id").String()); err != nil {
		t.Errorf("_cq_id %q: %v", a.Get("_cq_id"), err)
	}
	resolved(noCQID, &row{Name: "a"}) // no _cq_id column: nothing to set, no panic

	if got := s.scheduler.defaultColumnValue(&row{Name: "n"}, "name"); got != "n" {
		t.Errorf("a column without a resolver: %v, want the item's Name n", got)
	}
	if got := s.scheduler.defaultColumnValue(&row{Name: "n"}, "_cq_id"); got != nil {
		t.Errorf("_cq_id of an item without such a field: %v, want nil", got)
	}
	if got := s.scheduler.defaultColumnValue(map[string]any{"Name": "m"}, "name"); got != "m" {
		t.Errorf("a map item: %v, want its Name m (funk.Get's way)", got)
	}
}
