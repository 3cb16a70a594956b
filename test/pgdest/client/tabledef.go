package client

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/jackc/pgx/v5"
)

// tableDef is a table as PostgreSQL stores it (or as a schema.Table wants it stored).
type tableDef struct {
	name       string
	columns    []columnDef
	primaryKey []string
}

type columnDef struct {
	name    string
	pgType  string
	notNull bool
}

func (t *tableDef) column(name string) *columnDef {
	for i := range t.columns {
		if t.columns[i].name == name {
			return &t.columns[i]
		}
	}
	return nil
}

func (t *tableDef) inPrimaryKey(name string) bool {
	return slices.Contains(t.primaryKey, name)
}

// wantedTableDef is how the destination stores table: one column per schema column, primary key columns NOT NULL.
func wantedTableDef(table *schema.Table) *tableDef {
	def := &tableDef{name: table.Name, primaryKey: table.PrimaryKeys()}
	for _, c := range table.Columns {
		def.columns = append(def.columns, columnDef{
			name:    c.Name,
			pgType:  pgType(c.Type),
			notNull: c.NotNull || c.PrimaryKey,
		})
	}
	return def
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadTableDef reads a table's columns and primary key from the catalog; nil when the table does not exist.
// The table is looked up like unqualified names in SQL, through search_path.
func loadTableDef(ctx context.Context, q querier, name string) (*tableDef, error) {
	const sql = `
SELECT a.attname,
       format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       -- indkey is an int2vector, whose subscripts start at 0.
       coalesce(array_position(pk.indkey::int2[], a.attnum) - array_lower(pk.indkey::int2[], 1) + 1, 0)
FROM pg_attribute a
LEFT JOIN pg_index pk ON pk.indrelid = a.attrelid AND pk.indisprimary
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`
	rows, err := q.Query(ctx, sql, pgx.Identifier{name}.Sanitize())
	if err != nil {
		return nil, fmt.Errorf("read definition of table %s: %w", name, err)
	}
	defer rows.Close()

	def := &tableDef{name: name}
	pkPositions := map[int32]string{}
	for rows.Next() {
		var c columnDef
		var pkPosition int32
		if err := rows.Scan(&c.name, &c.pgType, &c.notNull, &pkPosition); err != nil {
			return nil, err
		}
		def.columns = append(def.columns, c)
		if pkPosition > 0 {
			pkPositions[pkPosition] = c.name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read definition of table %s: %w", name, err)
	}
	if len(def.columns) == 0 {
		return nil, nil
	}
	for i := int32(1); i <= int32(len(pkPositions)); i++ {
		def.primaryKey = append(def.primaryKey, pkPositions[i])
	}
	return def, nil
}
