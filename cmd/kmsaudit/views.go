package main

import (
	"context"
	"fmt"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
)

// CreateViews runs every views/*.sql file of fsys, in name order, each in its own transaction:
// the views (and their indexes) that the audit queries build on, such as aws_kms_grant_lineage.
// They are created again on every run, so they follow the tables CloudQuery migrates.
func CreateViews(ctx context.Context, conn *pgx.Conn, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "views/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		sql, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, string(sql))
			return err
		}); err != nil {
			return fmt.Errorf("%s: %w (the audit needs the synced tables and the right to create views and indexes on them)", name, err)
		}
	}
	return nil
}
