// Package apitest is the HTTP test harness of saasplane's SaaSus-compatible
// API. It opens every storage backend under test, serves the real handler
// stack (api.NewHandler with real services) on a loopback listener, and
// sends genuinely SAASUSSIGV1-signed requests the way the official SDKs do.
//
// Every response that passes through a Client is checked as it arrives:
//
//   - every response carries X-Saasus-Trace-Id;
//   - every /v1 response is Content-Type application/json;
//   - every error (4xx/5xx) is a JSON object with string "type" and "message";
//   - every 2xx (and the always-500 test endpoint) is validated against the
//     upstream SaaSus OpenAPI document with kin-openapi, and operations that
//     upstream declares without content must answer with an empty body.
//     Integers upstream marks x-go-type: uint64 must also be non-negative,
//     as the Go SDK decodes them into uint64.
//
// Redirects are returned to the test, never followed: the SDKs sign one URL.
//
// The upstream documents live outside this repository, in
// ../shared/upstream-openapi beside the repository root. Without them the
// upstream checks are switched off (logged once per server); LoadUpstream
// skips the calling test instead.
//
// Tests isolate themselves by creating their own SaaS (Server.NewSaaS):
// tables are never truncated, so one database can serve every test of a
// binary.
package apitest

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// PostgresEnv names the variable with the URL of a PostgreSQL database for
// tests; scripts/test.sh starts a throwaway server and sets it.
const PostgresEnv = storetest.PostgresEnv

// Backend is one migrated database to run a scenario on.
type Backend struct {
	Name string // "sqlite" or "postgres": the subtest name
	DB   *store.DB
}

// Backends returns a fresh migrated SQLite database in t.TempDir() and, when
// PostgresEnv is set, the PostgreSQL database it names (opened and migrated
// once per test binary, shared by every test). Without PostgresEnv the
// PostgreSQL case is logged as skipped.
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{{Name: string(store.SQLite), DB: OpenSQLite(t)}}
	if os.Getenv(PostgresEnv) == "" {
		t.Logf("%s is not set: PostgreSQL backend SKIPPED (run ./scripts/test.sh to start one)", PostgresEnv)
		return bs
	}
	return append(bs, Backend{Name: string(store.Postgres), DB: OpenPostgres(t)})
}

// ForEachBackend runs fn as a subtest named after each backend.
func ForEachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// ForEachIsolatedBackend is ForEachBackend with a PostgreSQL database of
// the test's own (created, migrated, dropped), for tests of background
// workers that act on every SaaS: on the shared database, another test's
// worker would act on this test's rows.
func ForEachIsolatedBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	t.Run(string(store.SQLite), func(t *testing.T) { fn(t, Backend{Name: string(store.SQLite), DB: OpenSQLite(t)}) })
	if os.Getenv(PostgresEnv) == "" {
		t.Logf("%s is not set: PostgreSQL backend SKIPPED (run ./scripts/test.sh to start one)", PostgresEnv)
		return
	}
	t.Run(string(store.Postgres), func(t *testing.T) {
		fn(t, Backend{Name: string(store.Postgres), DB: storetest.OpenPostgres(t)})
	})
}

// OpenSQLite returns a migrated SQLite database in t.TempDir(), closed when
// the test ends.
func OpenSQLite(t testing.TB) *store.DB { return storetest.OpenSQLite(t) }

var pg struct {
	once sync.Once
	db   *store.DB
	err  error
}

// shared reports whether db is the shared PostgreSQL database of
// OpenPostgres.
func shared(db *store.DB) bool { return sharedDB.Load() == db }

// sharedDB is pg.db once opened, for shared, which may run in a test
// that never opened it.
var sharedDB atomic.Pointer[store.DB]

// OpenPostgres returns the shared, migrated database at PostgresEnv. It is
// opened once per test binary and never closed (the process exit does).
// The test is skipped when PostgresEnv is unset.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		t.Skipf("%s is not set: PostgreSQL SKIPPED", PostgresEnv)
	}
	pg.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pg.db, pg.err = store.OpenPostgres(ctx, url)
		if pg.err == nil {
			_, pg.err = pg.db.Migrate(ctx)
		}
		if pg.err == nil {
			sharedDB.Store(pg.db)
		}
	})
	if pg.err != nil {
		t.Fatalf("postgres from %s: %v", PostgresEnv, pg.err)
	}
	return pg.db
}
