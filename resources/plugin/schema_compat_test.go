package plugin

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// referenceTable is one table of CloudQuery's AWS plugin as its `doc --format json` printed it.
type referenceTable struct {
	Name    string  `json:"name"`
	Parent  *string `json:"parent"`
	Columns []struct {
		Name                  string `json:"name"`
		Type                  string `json:"type"`
		IsPrimaryKey          bool   `json:"is_primary_key"`
		IsPrimaryKeyComponent bool   `json:"is_primary_key_component"`
	} `json:"columns"`
}

// TestSchemaKeepsCloudQueryColumns holds our tables to the last open release of CloudQuery's AWS
// plugin: same tables, parents, column names and types, primary key and _cq_id components, so
// queries written for it run unchanged and _cq_id values match.
func TestSchemaKeepsCloudQueryColumns(t *testing.T) {
	raw, err := os.ReadFile("testdata/cloudquery-aws-kms-tables.json")
	if err != nil {
		t.Fatal(err)
	}
	var reference []referenceTable
	if err := json.Unmarshal(raw, &reference); err != nil {
		t.Fatal(err)
	}
	tables := Tables().FlattenTables()
	for _, ref := range reference {
		t.Run(ref.Name, func(t *testing.T) {
			table := tables.Get(ref.Name)
			if table == nil {
				t.Fatalf("table %s is missing", ref.Name)
			}
			wantParent := ""
			if ref.Parent != nil {
				wantParent = *ref.Parent
			}
			gotParent := ""
			if table.Parent != nil {
				gotParent = table.Parent.Name
			}
			if gotParent != wantParent {
				t.Errorf("parent: got %q, want %q", gotParent, wantParent)
			}
			var wantComponents []string
			for _, col := range ref.Columns {
				got := table.Columns.Get(col.Name)
				if got == nil {
					t.Errorf("column %s is missing", col.Name)
					continue
				}
				if got.Type.String() != col.Type {
					t.Errorf("column %s: type %s, want %s", col.Name, got.Type, col.Type)
				}
				if got.PrimaryKey != col.IsPrimaryKey {
					t.Errorf("column %s: primary key %v, want %v", col.Name, got.PrimaryKey, col.IsPrimaryKey)
				}
				if col.IsPrimaryKeyComponent {
					wantComponents = append(wantComponents, col.Name)
				}
			}
			if got := table.PrimaryKeyComponents(); !slices.Equal(sorted(got), sorted(wantComponents)) {
				t.Errorf("primary key components %v, want %v (they decide _cq_id)", got, wantComponents)
			}
		})
	}
}

// TestNewTablesHaveStableIdentity checks the tables the reference lacks: each must derive
// _cq_id from key columns so re-syncs upsert instead of duplicating rows.
func TestNewTablesHaveStableIdentity(t *testing.T) {
	for _, table := range Tables().FlattenTables() {
		if len(table.PrimaryKeyComponents()) == 0 {
			t.Errorf("%s has no primary key components", table.Name)
		}
		if table.Columns.Get(schema.CqIDColumn.Name) == nil {
			t.Errorf("%s lacks _cq_id", table.Name)
		}
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
