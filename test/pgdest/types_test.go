package pgdest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

// typesTable has one column per Arrow type the source plugin's tables use, plus the internal columns.
func typesTable() *schema.Table {
	return &schema.Table{
		Name: "pgtest_types",
		Columns: schema.ColumnList{
			schema.CqSourceNameColumn,
			schema.CqSyncTimeColumn,
			schema.CqIDColumn,
			schema.CqParentIDColumn,
			{Name: "arn", Type: arrow.BinaryTypes.String, PrimaryKey: true, NotNull: true},
			{Name: "large_text", Type: arrow.BinaryTypes.LargeString},
			{Name: "policy", Type: types.ExtensionTypes.JSON},
			{Name: "aliases", Type: arrow.ListOf(arrow.BinaryTypes.String)},
			{Name: "numbers", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
			{Name: "created", Type: arrow.FixedWidthTypes.Timestamp_us},
			{Name: "enabled", Type: arrow.FixedWidthTypes.Boolean},
			{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
			{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
			{Name: "i16", Type: arrow.PrimitiveTypes.Int16},
			{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
			{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
			{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
			{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
			{Name: "key_id", Type: types.ExtensionTypes.UUID},
			{Name: "blob", Type: arrow.BinaryTypes.Binary},
		},
	}
}

func TestMigrateCreatesTheOfficialColumnTypes(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	table := typesTable()
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{&message.WriteMigrateTable{Table: table}}))

	conn := connectDB(t, dsn)
	rows, err := conn.Query(ctx, `
SELECT column_name, data_type, udt_name, is_nullable
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1`, table.Name)
	require.NoError(t, err)
	type columnInfo struct{ dataType, udtName, nullable string }
	got := map[string]columnInfo{}
	for rows.Next() {
		var name string
		var c columnInfo
		require.NoError(t, rows.Scan(&name, &c.dataType, &c.udtName, &c.nullable))
		got[name] = c
	}
	require.NoError(t, rows.Err())

	want := map[string]columnInfo{
		"_cq_source_name": {"text", "text", "YES"},
		"_cq_sync_time":   {"timestamp without time zone", "timestamp", "YES"},
		"_cq_id":          {"uuid", "uuid", "NO"},
		"_cq_parent_id":   {"uuid", "uuid", "YES"},
		"arn":             {"text", "text", "NO"},
		"large_text":      {"text", "text", "YES"},
		"policy":          {"jsonb", "jsonb", "YES"},
		"aliases":         {"ARRAY", "_text", "YES"},
		"numbers":         {"jsonb", "jsonb", "YES"},
		"created":         {"timestamp without time zone", "timestamp", "YES"},
		"enabled":         {"boolean", "bool", "YES"},
		"i64":             {"bigint", "int8", "YES"},
		"i32":             {"integer", "int4", "YES"},
		"i16":             {"smallint", "int2", "YES"},
		"i8":              {"smallint", "int2", "YES"},
		"u64":             {"numeric", "numeric", "YES"},
		"f64":             {"double precision", "float8", "YES"},
		"f32":             {"real", "float4", "YES"},
		"key_id":          {"uuid", "uuid", "YES"},
		"blob":            {"bytea", "bytea", "YES"},
	}
	require.Equal(t, want, got)

	var pk []string
	require.NoError(t, conn.QueryRow(ctx, `
SELECT array_agg(k.column_name::text ORDER BY k.ordinal_position)
FROM information_schema.table_constraints c
JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
WHERE c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'`, table.Name).Scan(&pk))
	require.Equal(t, []string{"arn"}, pk)
}

func TestInsertStoresValuesNativelyAndNullsAsSQLNull(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	table := typesTable()
	syncTime := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	created := time.Date(2023, 1, 2, 3, 4, 5, 678901000, time.UTC)
	keyID := uuid.MustParse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")

	bldr := array.NewRecordBuilder(memory.DefaultAllocator, table.ToArrowSchema())
	defer bldr.Release()
	appendRow := func(arn string, full bool) {
		for i, col := range table.Columns {
			b := bldr.Field(i)
			switch col.Name {
			case schema.CqSourceNameColumn.Name:
				b.(*array.StringBuilder).Append("types-test")
			case schema.CqSyncTimeColumn.Name:
				b.(*array.TimestampBuilder).AppendTime(syncTime)
			case schema.CqIDColumn.Name:
				b.(*types.UUIDBuilder).Append(uuid.New())
			case "arn":
				b.(*array.StringBuilder).Append(arn)
			default:
				if !full {
					b.AppendNull()
					continue
				}
				appendFullValue(t, b, col.Name, created, keyID)
			}
		}
	}
	appendRow("full", true)
	appendRow("nulls", false)
	rec := bldr.NewRecord()
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: table},
		&message.WriteInsert{Record: rec},
	}))

	conn := connectDB(t, dsn)
	var (
		largeText, policyKey, aliasesText, numbersText string
		createdGot, syncGot                            time.Time
		enabled                                        bool
		i64                                            int64
		i32, i16, i8                                   int32
		u64Text                                        string
		f64                                            float64
		f32                                            float32
		keyIDGot                                       uuid.UUID
		blob                                           []byte
	)
	require.NoError(t, conn.QueryRow(ctx, `
SELECT large_text, policy->'statement'->>0, aliases::text, numbers::text, created, _cq_sync_time,
       enabled, i64, i32, i16, i8, u64::text, f64, f32, key_id, blob
FROM pgtest_types WHERE arn = 'full'`).Scan(
		&largeText, &policyKey, &aliasesText, &numbersText, &createdGot, &syncGot,
		&enabled, &i64, &i32, &i16, &i8, &u64Text, &f64, &f32, &keyIDGot, &blob))
	require.Equal(t, "large", largeText)
	require.Equal(t, "allow", policyKey, "json is stored as a jsonb document, queryable with ->")
	require.Equal(t, `{alias/one,NULL,""}`, aliasesText, "list<utf8> keeps NULL and empty elements in a text[]")
	require.Equal(t, `[1, null, 3]`, numbersText)
	require.True(t, created.Equal(createdGot), "created: got %s", createdGot)
	require.True(t, syncTime.Equal(syncGot), "_cq_sync_time: got %s", syncGot)
	require.True(t, enabled)
	require.Equal(t, int64(-9223372036854775808), i64)
	require.Equal(t, int32(-2147483648), i32)
	require.Equal(t, int32(-32768), i16)
	require.Equal(t, int32(-128), i8)
	require.Equal(t, "18446744073709551615", u64Text)
	require.Equal(t, 2.5, f64)
	require.Equal(t, float32(-0.25), f32)
	require.Equal(t, keyID, keyIDGot)
	require.Equal(t, []byte{0, 1, 0xff}, blob)

	// Every optional column of the second row must be SQL NULL, not an empty value or a "(null)" string.
	for _, col := range table.Columns {
		if col.Name == "arn" || col.Name == schema.CqSourceNameColumn.Name || col.Name == schema.CqSyncTimeColumn.Name || col.Name == schema.CqIDColumn.Name {
			continue
		}
		var isNull bool
		require.NoError(t, conn.QueryRow(ctx,
			fmt.Sprintf(`SELECT %s IS NULL FROM pgtest_types WHERE arn = 'nulls'`, pgx.Identifier{col.Name}.Sanitize())).Scan(&isNull))
		require.True(t, isNull, "column %s of the all-NULL row is not NULL", col.Name)
	}
}

func TestEmptyValuesAreNotStoredAsNull(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	table := &schema.Table{Name: "pgtest_empty", Columns: schema.ColumnList{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.BinaryTypes.Binary},
		{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}}
	bldr := array.NewRecordBuilder(memory.DefaultAllocator, table.ToArrowSchema())
	defer bldr.Release()
	bldr.Field(0).(*array.Int64Builder).Append(1)
	bldr.Field(1).(*array.StringBuilder).Append("")
	bldr.Field(2).(*array.BinaryBuilder).Append([]byte{})
	bldr.Field(3).(*array.ListBuilder).Append(true)
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: table},
		&message.WriteInsert{Record: bldr.NewRecord()},
	}))

	var s string
	var b []byte
	var l []string
	require.NoError(t, connectDB(t, dsn).QueryRow(ctx, `SELECT s, b, l FROM pgtest_empty WHERE id = 1`).Scan(&s, &b, &l))
	require.Equal(t, "", s)
	require.NotNil(t, b, "empty bytea became NULL")
	require.Empty(t, b)
	require.NotNil(t, l, "empty text[] became NULL")
	require.Empty(t, l)
}

func appendFullValue(t *testing.T, b array.Builder, column string, created time.Time, keyID uuid.UUID) {
	t.Helper()
	switch column {
	case schema.CqParentIDColumn.Name:
		b.(*types.UUIDBuilder).Append(uuid.New())
	case "large_text":
		b.(*array.LargeStringBuilder).Append("large")
	case "policy":
		b.(*types.JSONBuilder).Append(map[string]any{"statement": []string{"allow"}})
	case "aliases":
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		vb.Append("alias/one")
		vb.AppendNull()
		vb.Append("")
	case "numbers":
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.Int64Builder)
		vb.Append(1)
		vb.AppendNull()
		vb.Append(3)
	case "created":
		b.(*array.TimestampBuilder).AppendTime(created)
	case "enabled":
		b.(*array.BooleanBuilder).Append(true)
	case "i64":
		b.(*array.Int64Builder).Append(-9223372036854775808)
	case "i32":
		b.(*array.Int32Builder).Append(-2147483648)
	case "i16":
		b.(*array.Int16Builder).Append(-32768)
	case "i8":
		b.(*array.Int8Builder).Append(-128)
	case "u64":
		b.(*array.Uint64Builder).Append(18446744073709551615)
	case "f64":
		b.(*array.Float64Builder).Append(2.5)
	case "f32":
		b.(*array.Float32Builder).Append(-0.25)
	case "key_id":
		b.(*types.UUIDBuilder).Append(keyID)
	case "blob":
		b.(*array.BinaryBuilder).Append([]byte{0, 1, 0xff})
	default:
		t.Fatalf("no test value for column %s", column)
	}
}

func connectDB(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
