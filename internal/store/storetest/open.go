// Package storetest is the storage conformance suite: one set of tests that
// every backend (SQLite and PostgreSQL) must pass, plus helpers that open a
// fresh, migrated database of each kind for tests anywhere in the project.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for creating databases

	"github.com/saasplane/saasplane/internal/store"
)

// PostgresEnv names the variable holding the URL of a PostgreSQL server for
// tests; scripts/test.sh starts a throwaway server and sets it.
const PostgresEnv = "SAASPLANE_TEST_POSTGRES_URL"

// Backend opens a fresh database of one kind.
type Backend struct {
	Name string
	Open func(t testing.TB) *store.DB
}

// Backends returns SQLite always and PostgreSQL when PostgresEnv is set.
// Without it, the PostgreSQL case is logged as skipped, loudly.
func Backends(t testing.TB) []Backend {
	bs := []Backend{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv(PostgresEnv) != "" {
		bs = append(bs, Backend{Name: "postgres", Open: OpenPostgres})
	} else {
		t.Logf("%s is not set: skipping the PostgreSQL backend (scripts/test.sh sets it)", PostgresEnv)
	}
	return bs
}

// OpenSQLite returns a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return openDir(t, t.TempDir())
}

func openDir(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// OpenPostgres creates a new database on the server at PostgresEnv, migrates
// it, and drops it when the test ends.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	db := NewPostgresDB(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// NewPostgresDB creates a new, empty (unmigrated) database and returns it
// open; it is dropped when the test ends.
func NewPostgresDB(t testing.TB) *store.DB {
	t.Helper()
	u := PostgresURL(t)
	ctx := context.Background()
	db, err := store.OpenPostgres(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL creates a fresh database and returns its URL; the database is
// dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set: PostgreSQL tests need a server (scripts/test.sh starts one)", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "saasplane_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}
