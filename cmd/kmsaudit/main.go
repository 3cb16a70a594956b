// Command kmsaudit runs the KMS grant audit queries (docs/queries) against
// a PostgreSQL database that CloudQuery synced the cq-source-awskms tables
// into, and prints a findings report.
//
//	kmsaudit -dsn postgres://user@host:5432/db [-dir docs/queries] [-max-rows 50] [-max-width 60]
//
// It first creates the views the queries build on (docs/queries/views, such
// as aws_kms_grant_lineage). The queries are embedded in the binary; -dir
// runs the .sql files of a directory (and its views/) instead. It exits 0 when every query ran, whatever it found;
// 1 when the database could not be reached or a query failed; 2 on bad
// flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("kmsaudit", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dsn := flags.String("dsn", os.Getenv("KMSAUDIT_DSN"), "PostgreSQL connection string (default $KMSAUDIT_DSN)")
	dir := flags.String("dir", "", "run the .sql files of this directory instead of the embedded queries")
	maxRows := flags.Int("max-rows", 50, "rows printed per query; 0 prints all")
	maxWidth := flags.Int("max-width", 60, "widest cell printed, in characters; 0 means no limit")
	timeout := flags.Duration("timeout", 5*time.Minute, "time limit per query; 0 means none")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "kmsaudit: unexpected arguments %q\n", flags.Args())
		return exitUsage
	}
	if *dsn == "" {
		fmt.Fprintln(stderr, "kmsaudit: -dsn is required (or set KMSAUDIT_DSN), e.g. -dsn postgres://user@localhost:5432/cloudquery")
		return exitUsage
	}
	if *maxRows < 0 || *maxWidth < 0 {
		fmt.Fprintln(stderr, "kmsaudit: -max-rows and -max-width must be 0 or more")
		return exitUsage
	}

	var source, views fs.FS = queries.FS, queries.Views
	if *dir != "" {
		source, views = os.DirFS(*dir), os.DirFS(*dir)
	}
	qs, err := LoadQueries(source)
	if err != nil {
		fmt.Fprintf(stderr, "kmsaudit: loading queries: %v\n", err)
		return exitError
	}

	conn, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		// pgx's message names host, user and database, never the password.
		fmt.Fprintf(stderr, "kmsaudit: connecting to PostgreSQL: %v\n", err)
		return exitError
	}
	defer conn.Close(context.WithoutCancel(ctx))

	if err := CreateViews(ctx, conn, views); err != nil {
		fmt.Fprintf(stderr, "kmsaudit: creating views: %v\n", err)
		return exitError
	}
	results := RunQueries(ctx, conn, qs, *timeout)
	if err := WriteReport(stdout, results, ReportOptions{MaxRows: *maxRows, MaxWidth: *maxWidth}); err != nil {
		fmt.Fprintf(stderr, "kmsaudit: writing report: %v\n", err)
		return exitError
	}
	code := exitOK
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "kmsaudit: query %s failed: %v\n", r.Query.Name, r.Err)
			code = exitError
		}
	}
	return code
}
