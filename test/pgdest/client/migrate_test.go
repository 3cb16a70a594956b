package client

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlanMigrationSortsChangesIntoSafeAndUnsafe(t *testing.T) {
	have := &tableDef{name: "t", primaryKey: []string{"id"}, columns: []columnDef{
		{name: "id", pgType: "bigint", notNull: true},
		{name: "kept", pgType: "text"},
		{name: "retyped", pgType: "boolean"},
		{name: "gone_required", pgType: "text", notNull: true},
		{name: "gone_optional", pgType: "text"},
	}}
	want := &tableDef{name: "t", primaryKey: []string{"id"}, columns: []columnDef{
		{name: "id", pgType: "bigint", notNull: true},
		{name: "kept", pgType: "text"},
		{name: "retyped", pgType: "text"},
		{name: "added", pgType: "text[]"},
		{name: "added_required", pgType: "uuid", notNull: true},
	}}
	plan := planMigration(have, want)
	require.ElementsMatch(t, []string{
		`ALTER TABLE "t" ADD COLUMN "added" text[]`,
		`ALTER TABLE "t" ALTER COLUMN "gone_required" DROP NOT NULL`,
	}, plan.safe)
	require.ElementsMatch(t, []string{
		"column retyped changes type from boolean to text",
		"new NOT NULL column added_required",
	}, plan.unsafe)
}

func TestPlanMigrationTreatsAPrimaryKeyChangeAsUnsafe(t *testing.T) {
	cols := []columnDef{{name: "_cq_id", pgType: "uuid", notNull: true}, {name: "id", pgType: "bigint", notNull: true}}
	plan := planMigration(
		&tableDef{name: "t", primaryKey: []string{"id"}, columns: cols},
		&tableDef{name: "t", primaryKey: []string{"_cq_id"}, columns: cols},
	)
	require.Equal(t, []string{"primary key (id) becomes (_cq_id)"}, plan.unsafe)

	same := planMigration(
		&tableDef{name: "t", primaryKey: []string{"id", "_cq_id"}, columns: cols},
		&tableDef{name: "t", primaryKey: []string{"_cq_id", "id"}, columns: cols},
	)
	require.Empty(t, same.unsafe, "column order inside the key does not matter")
	require.Empty(t, same.safe)
}
