package pgdest_test

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

func TestDeleteRecordAlsoDeletesRelatedChildRows(t *testing.T) {
	dsn := pgtest.Start(t)
	p := newInitializedPlugin(t, dsn)
	ctx := context.Background()
	parent := &schema.Table{Name: "pgtest_parent", Columns: schema.ColumnList{
		schema.CqIDColumn,
		{Name: "name", Type: arrow.BinaryTypes.String, PrimaryKey: true},
	}}
	child := &schema.Table{Name: "pgtest_child", Parent: parent, Columns: schema.ColumnList{
		schema.CqIDColumn,
		schema.CqParentIDColumn,
		{Name: "name", Type: arrow.BinaryTypes.String, PrimaryKey: true},
	}}
	keptID, deletedID := uuid.New(), uuid.New()

	pb := array.NewRecordBuilder(memory.DefaultAllocator, parent.ToArrowSchema())
	defer pb.Release()
	pb.Field(0).(*types.UUIDBuilder).Append(keptID)
	pb.Field(1).(*array.StringBuilder).Append("kept")
	pb.Field(0).(*types.UUIDBuilder).Append(deletedID)
	pb.Field(1).(*array.StringBuilder).Append("deleted")

	cb := array.NewRecordBuilder(memory.DefaultAllocator, child.ToArrowSchema())
	defer cb.Release()
	for _, c := range []struct {
		parentID uuid.UUID
		name     string
	}{{keptID, "child-of-kept"}, {deletedID, "child-of-deleted"}} {
		cb.Field(0).(*types.UUIDBuilder).Append(uuid.New())
		cb.Field(1).(*types.UUIDBuilder).Append(c.parentID)
		cb.Field(2).(*array.StringBuilder).Append(c.name)
	}

	where := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String}}, nil))
	defer where.Release()
	where.Field(0).(*array.StringBuilder).Append("deleted")

	require.NoError(t, p.WriteAll(ctx, []message.WriteMessage{
		&message.WriteMigrateTable{Table: parent},
		&message.WriteMigrateTable{Table: child},
		&message.WriteInsert{Record: pb.NewRecord()},
		&message.WriteInsert{Record: cb.NewRecord()},
		&message.WriteDeleteRecord{DeleteRecord: message.DeleteRecord{
			TableName:      parent.Name,
			TableRelations: message.TableRelations{{TableName: child.Name, ParentTable: parent.Name}},
			WhereClause: message.PredicateGroups{{
				GroupingType: "AND",
				Predicates:   message.Predicates{{Operator: "eq", Column: "name", Record: where.NewRecord()}},
			}},
		}},
	}))

	conn := connectDB(t, dsn)
	names := func(table string) []string {
		rows, err := conn.Query(ctx, `SELECT name FROM `+table+` ORDER BY name`)
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			out = append(out, n)
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, []string{"kept"}, names("pgtest_parent"))
	require.Equal(t, []string{"child-of-kept"}, names("pgtest_child"))
}
