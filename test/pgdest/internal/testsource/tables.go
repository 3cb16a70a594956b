package testsource

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
)

// EventsCursorKey is the state backend key holding the last EventID emitted.
const EventsCursorKey = "pgtest_events_cursor"

func tables() (schema.Tables, error) {
	tables := schema.Tables{
		{
			Name:      "pgtest_keys",
			Resolver:  fetchKeys,
			Transform: transformers.TransformWithStruct(&Key{}, transformers.WithPrimaryKeys("KeyID")),
			Relations: schema.Tables{{
				Name:      "pgtest_key_grants",
				Resolver:  fetchGrants,
				Transform: transformers.TransformWithStruct(&Grant{}, transformers.WithPrimaryKeys("GrantID")),
				Columns: schema.ColumnList{{
					Name:       "key_id",
					Type:       arrow.BinaryTypes.String,
					Resolver:   schema.ParentColumnResolver("key_id"),
					PrimaryKey: true,
				}},
			}},
		},
		{
			Name:          "pgtest_events",
			IsIncremental: true,
			Resolver:      fetchEvents,
			Transform:     transformers.TransformWithStruct(&Event{}, transformers.WithPrimaryKeys("EventID")),
		},
	}
	if err := transformers.TransformTables(tables); err != nil {
		return nil, err
	}
	transformers.SetParents(tables, nil)
	for _, t := range tables {
		schema.AddCqIDs(t)
	}
	return tables, nil
}

func fetchKeys(_ context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	for _, k := range Keys(meta.(*syncMeta).spec.Generation) {
		res <- k
	}
	return nil
}

func fetchGrants(_ context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	for _, g := range Grants(meta.(*syncMeta).spec.Generation, parent.Item.(Key).KeyID) {
		res <- g
	}
	return nil
}

// fetchEvents emits the events after the cursor read from the state backend, then advances it.
func fetchEvents(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	m := meta.(*syncMeta)
	saved, err := m.state.GetKey(ctx, EventsCursorKey)
	if err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	var cursor int64
	if saved != "" {
		if cursor, err = strconv.ParseInt(saved, 10, 64); err != nil {
			return fmt.Errorf("cursor %q: %w", saved, err)
		}
	}
	for _, e := range Events(m.spec.Generation) {
		if e.EventID <= cursor {
			continue
		}
		res <- e
		cursor = e.EventID
	}
	return m.state.SetKey(ctx, EventsCursorKey, strconv.FormatInt(cursor, 10))
}
