// Package pgtest starts throwaway PostgreSQL servers for tests.
//
// Start gives each caller its own empty database. By default it starts a private cluster in a
// temporary directory (initdb + postgres on 127.0.0.1 and a free port) and stops it when the test
// ends. Environment:
//
//	PGTEST_DSN=postgres://...   reuse a running server; each caller gets a fresh database on it
//	PGTEST_SKIP=1               skip tests that need PostgreSQL (otherwise they fail when it is missing)
//	PGTEST_BIN_DIR=/path/bin    directory holding initdb and postgres
//	PGTEST_USER=name            account to run the server as when the tests run as root (default postgres)
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	skipEnv = "PGTEST_SKIP"
	dsnEnv  = "PGTEST_DSN"
)

// Start returns the DSN of an empty database for this test. The database (and the server, when
// Start started one) is removed when the test ends. It skips the test only when PGTEST_SKIP=1;
// otherwise a missing PostgreSQL installation fails the test with instructions.
func Start(t testing.TB) string {
	t.Helper()
	if os.Getenv(skipEnv) == "1" {
		t.Skipf("%s=1: skipping a test that needs PostgreSQL", skipEnv)
	}
	if shared := os.Getenv(dsnEnv); shared != "" {
		dsn, err := createDatabase(shared)
		if err != nil {
			t.Fatalf("pgtest: %s: %v", dsnEnv, err)
		}
		t.Cleanup(func() {
			if err := dropDatabase(shared, dsn); err != nil {
				t.Errorf("pgtest: drop test database: %v", err)
			}
		})
		return dsn
	}

	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	srv, err := StartServer(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		if errors.Is(err, ErrNotInstalled) {
			t.Fatalf("pgtest: %v", err)
		}
		t.Fatalf("pgtest: start PostgreSQL in %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("pgtest: stop PostgreSQL: %v", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("pgtest: remove %s: %v", dir, err)
		}
	})
	return srv.DSN()
}

// createDatabase makes a uniquely named database on the server behind shared and returns its DSN.
func createDatabase(shared string) (string, error) {
	u, err := url.Parse(shared)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a URL such as postgres://user@host:port/db", dsnEnv)
	}
	name, err := randomDatabaseName()
	if err != nil {
		return "", err
	}
	if err := execAdmin(shared, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(shared, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	// FORCE disconnects sessions a test leaked (PostgreSQL 13+).
	return execAdmin(shared, "DROP DATABASE IF EXISTS "+pgx.Identifier{u.Path[1:]}.Sanitize()+" WITH (FORCE)")
}

func execAdmin(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomDatabaseName() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "pgtest_" + hex.EncodeToString(b), nil
}
