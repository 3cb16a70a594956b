package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/jackc/pgx/v5"
)

// DeleteRecordsBatch deletes the rows matching each message's where clause, then the rows of
// related child tables whose _cq_parent_id points at a deleted row. Predicate groups are ANDed;
// the predicates inside a group are joined by the group's AND/OR. Only the "eq" operator exists.
func (c *Client) DeleteRecordsBatch(ctx context.Context, msgs message.WriteDeleteRecords) error {
	return c.pool.with(ctx, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, msg := range msgs {
				if err := deleteRecord(ctx, tx, msg.DeleteRecord); err != nil {
					return fmt.Errorf("delete from %s: %w", msg.TableName, err)
				}
			}
			return nil
		})
	})
}

func deleteRecord(ctx context.Context, tx pgx.Tx, del message.DeleteRecord) error {
	where, args, err := whereSQL(del.WhereClause)
	if err != nil {
		return err
	}
	sql := "DELETE FROM " + quote(del.TableName) + where
	if len(del.TableRelations) == 0 {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	}

	// Children are found through the _cq_id of the rows deleted from their parent table.
	deletedIDs := map[string][]any{}
	deletedIDs[del.TableName], err = execReturningIDs(ctx, tx, sql, args...)
	if err != nil {
		return err
	}
	for _, rel := range del.TableRelations {
		parentIDs := deletedIDs[rel.ParentTable]
		sql := fmt.Sprintf("DELETE FROM %s WHERE %s = ANY($1)", quote(rel.TableName), quote(schema.CqParentIDColumn.Name))
		ids, err := execReturningIDs(ctx, tx, sql, parentIDs)
		if err != nil {
			return fmt.Errorf("delete related rows from %s: %w", rel.TableName, err)
		}
		deletedIDs[rel.TableName] = append(deletedIDs[rel.TableName], ids...)
	}
	return nil
}

func execReturningIDs(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]any, error) {
	rows, err := tx.Query(ctx, sql+" RETURNING "+quote(schema.CqIDColumn.Name), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (any, error) {
		var id [16]byte
		err := row.Scan(&id)
		return id, err
	})
}

// whereSQL renders predicate groups as a WHERE clause with bind parameters; empty means all rows.
func whereSQL(groups message.PredicateGroups) (string, []any, error) {
	var conds []string
	var args []any
	for _, g := range groups {
		if len(g.Predicates) == 0 {
			continue
		}
		joiner := strings.ToUpper(g.GroupingType)
		if joiner != "AND" && joiner != "OR" {
			return "", nil, fmt.Errorf("unsupported predicate grouping %q", g.GroupingType)
		}
		parts := make([]string, len(g.Predicates))
		for i, p := range g.Predicates {
			if p.Operator != "eq" {
				return "", nil, fmt.Errorf("unsupported predicate operator %q", p.Operator)
			}
			if p.Record == nil || p.Record.NumCols() == 0 || p.Record.NumRows() == 0 {
				return "", nil, fmt.Errorf("predicate on %s has no value", p.Column)
			}
			v, err := pgValue(p.Record.Column(0), 0)
			if err != nil {
				return "", nil, err
			}
			args = append(args, v)
			parts[i] = quote(p.Column) + " = $" + strconv.Itoa(len(args))
		}
		conds = append(conds, "("+strings.Join(parts, " "+joiner+" ")+")")
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}
