package pgdest_test

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

func TestUnsafeMigrationNeedsForceAndKeepsDataWithoutIt(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	before := &schema.Table{Name: "pgtest_unsafe", Columns: schema.ColumnList{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	}}
	bldr := array.NewRecordBuilder(memory.DefaultAllocator, before.ToArrowSchema())
	defer bldr.Release()
	bldr.Field(0).(*array.Int64Builder).Append(1)
	bldr.Field(1).(*array.BooleanBuilder).Append(true)
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: before},
		&message.WriteInsert{Record: bldr.NewRecord()},
	}))

	after := &schema.Table{Name: before.Name, Columns: schema.ColumnList{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true},
		{Name: "flag", Type: arrow.BinaryTypes.String},
	}}
	err := p.WriteAll(ctx, []message.WriteMessage{&message.WriteMigrateTable{Table: after}})
	require.ErrorContains(t, err, "column flag changes type from boolean to text")
	require.ErrorContains(t, err, "migrate_mode: forced")

	conn := connectDB(t, dsn)
	var rows int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pgtest_unsafe WHERE flag`).Scan(&rows))
	require.Equal(t, 1, rows, "a refused migration must leave the table alone")

	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{&message.WriteMigrateTable{Table: after, MigrateForce: true}}))
	var dataType string
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT data_type FROM information_schema.columns WHERE table_name = 'pgtest_unsafe' AND column_name = 'flag'`).Scan(&dataType))
	require.Equal(t, "text", dataType)
}

func TestSafeMigrationAddsColumnsAndKeepsRows(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	v1 := &schema.Table{Name: "pgtest_grow", Columns: schema.ColumnList{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true},
		{Name: "dropped_later", Type: arrow.BinaryTypes.String, NotNull: true},
	}}
	bldr := array.NewRecordBuilder(memory.DefaultAllocator, v1.ToArrowSchema())
	defer bldr.Release()
	bldr.Field(0).(*array.Int64Builder).Append(1)
	bldr.Field(1).(*array.StringBuilder).Append("old")
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: v1},
		&message.WriteInsert{Record: bldr.NewRecord()},
	}))

	v2 := &schema.Table{Name: v1.Name, Columns: schema.ColumnList{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true},
		{Name: "added", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}}
	bldr2 := array.NewRecordBuilder(memory.DefaultAllocator, v2.ToArrowSchema())
	defer bldr2.Release()
	bldr2.Field(0).(*array.Int64Builder).Append(2)
	bldr2.Field(1).(*array.ListBuilder).Append(true)
	bldr2.Field(1).(*array.ListBuilder).ValueBuilder().(*array.StringBuilder).Append("new")
	// Without a forced migration: the new column is added, and the dropped NOT NULL column must accept NULLs.
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: v2},
		&message.WriteInsert{Record: bldr2.NewRecord()},
	}))

	conn := connectDB(t, dsn)
	var old string
	var added []string
	require.NoError(t, conn.QueryRow(ctx, `SELECT dropped_later FROM pgtest_grow WHERE id = 1`).Scan(&old))
	require.Equal(t, "old", old)
	require.NoError(t, conn.QueryRow(ctx, `SELECT added FROM pgtest_grow WHERE id = 2`).Scan(&added))
	require.Equal(t, []string{"new"}, added)
}
