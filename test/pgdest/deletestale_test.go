package pgdest_test

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

func TestDeleteStaleOnlyTouchesOlderRowsOfTheSameSource(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	table := &schema.Table{Name: "pgtest_stale", Columns: schema.ColumnList{
		schema.CqSourceNameColumn,
		schema.CqSyncTimeColumn,
		{Name: "id", Type: arrow.BinaryTypes.String, PrimaryKey: true},
	}}
	previous := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	current := previous.Add(time.Hour)

	bldr := array.NewRecordBuilder(memory.DefaultAllocator, table.ToArrowSchema())
	defer bldr.Release()
	for _, row := range []struct {
		source string
		sync   time.Time
		id     string
	}{
		{"aws", previous, "stale"},
		{"aws", current, "fresh"},
		{"other-source", previous, "someone-elses"},
	} {
		bldr.Field(0).(*array.StringBuilder).Append(row.source)
		bldr.Field(1).(*array.TimestampBuilder).AppendTime(row.sync)
		bldr.Field(2).(*array.StringBuilder).Append(row.id)
	}
	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: table},
		&message.WriteInsert{Record: bldr.NewRecord()},
		&message.WriteDeleteStale{TableName: table.Name, SourceName: "aws", SyncTime: current},
	}))

	rows, err := connectDB(t, dsn).Query(ctx, `SELECT id FROM pgtest_stale ORDER BY id`)
	require.NoError(t, err)
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"fresh", "someone-elses"}, ids)
}
