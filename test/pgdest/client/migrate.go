package client

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/jackc/pgx/v5"
)

// MigrateTableBatch creates missing tables and brings existing ones up to date. Safe changes
// (new nullable columns, dropped columns, relaxed NOT NULL) are applied in place; other changes
// drop and recreate the table under migrate_mode: forced and fail otherwise.
func (c *Client) MigrateTableBatch(ctx context.Context, msgs message.WriteMigrateTables) error {
	return c.pool.with(ctx, func(conn *pgx.Conn) error {
		for _, msg := range msgs {
			if err := c.migrateTable(ctx, conn, msg); err != nil {
				return fmt.Errorf("migrate table %s: %w", msg.Table.Name, err)
			}
		}
		return nil
	})
}

func (c *Client) migrateTable(ctx context.Context, conn *pgx.Conn, msg *message.WriteMigrateTable) error {
	want := wantedTableDef(msg.Table)
	have, err := loadTableDef(ctx, conn, want.name)
	if err != nil {
		return err
	}

	var statements []string
	switch plan := planMigration(have, want); {
	case have == nil:
		c.logger.Info().Str("table", want.name).Msg("creating table")
		statements = []string{createTableSQL(want)}
	case len(plan.unsafe) > 0 && !msg.MigrateForce:
		return fmt.Errorf("needs changes that lose data: %s; run with migrate_mode: forced to drop and recreate the table",
			strings.Join(plan.unsafe, "; "))
	case len(plan.unsafe) > 0:
		c.logger.Warn().Str("table", want.name).Strs("changes", plan.unsafe).Msg("dropping and recreating table (migrate_mode: forced)")
		statements = []string{"DROP TABLE " + quote(want.name), createTableSQL(want)}
	default:
		statements = plan.safe
	}

	if len(statements) > 0 {
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, sql := range statements {
				if _, err := tx.Exec(ctx, sql); err != nil {
					return fmt.Errorf("%s: %w", sql, err)
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	c.tables.forget(want.name)
	return nil
}

// migrationPlan lists the statements for changes that keep data, and descriptions of those that do not.
type migrationPlan struct {
	safe   []string
	unsafe []string
}

func planMigration(have, want *tableDef) migrationPlan {
	var plan migrationPlan
	if have == nil {
		return plan
	}
	table := quote(want.name)
	if !sameColumns(have.primaryKey, want.primaryKey) {
		plan.unsafe = append(plan.unsafe, fmt.Sprintf("primary key (%s) becomes (%s)",
			strings.Join(have.primaryKey, ", "), strings.Join(want.primaryKey, ", ")))
	}
	for _, w := range want.columns {
		h := have.column(w.name)
		switch {
		case h == nil && w.notNull:
			// Existing rows would have no value for it.
			plan.unsafe = append(plan.unsafe, fmt.Sprintf("new NOT NULL column %s", w.name))
		case h == nil:
			plan.safe = append(plan.safe, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, quote(w.name), w.pgType))
		case h.pgType != w.pgType:
			plan.unsafe = append(plan.unsafe, fmt.Sprintf("column %s changes type from %s to %s", w.name, h.pgType, w.pgType))
		case h.notNull && !w.notNull && !have.inPrimaryKey(w.name):
			plan.safe = append(plan.safe, dropNotNullSQL(table, w.name))
		}
	}
	// Columns the schema no longer has stay, but must accept the NULLs inserts will now leave in them.
	for _, h := range have.columns {
		if want.column(h.name) == nil && h.notNull && !have.inPrimaryKey(h.name) {
			plan.safe = append(plan.safe, dropNotNullSQL(table, h.name))
		}
	}
	return plan
}

// sameColumns compares column sets; the order of primary key columns does not matter to upserts.
func sameColumns(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func createTableSQL(def *tableDef) string {
	var sb strings.Builder
	sb.WriteString("CREATE TABLE IF NOT EXISTS ")
	sb.WriteString(quote(def.name))
	sb.WriteString(" (")
	for i, c := range def.columns {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(quote(c.name))
		sb.WriteString(" ")
		sb.WriteString(c.pgType)
		if c.notNull {
			sb.WriteString(" NOT NULL")
		}
	}
	if len(def.primaryKey) > 0 {
		sb.WriteString(", PRIMARY KEY (")
		sb.WriteString(quoteList(def.primaryKey))
		sb.WriteString(")")
	}
	sb.WriteString(")")
	return sb.String()
}

func dropNotNullSQL(quotedTable, column string) string {
	return fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", quotedTable, quote(column))
}

// quote quotes an identifier for SQL.
func quote(name string) string {
	return pgx.Identifier{name}.Sanitize()
}

func quoteList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = quote(n)
	}
	return strings.Join(quoted, ", ")
}
