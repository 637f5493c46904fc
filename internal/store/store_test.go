package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { storetest.Run(t, b.Open) })
	}
}

// Two processes on one SQLite file (the server and `saasplane saas create`)
// must not fail each other's writes.
func TestSQLiteTwoHandlesWriteConcurrently(t *testing.T) {
	dir := t.TempDir()
	open := func() *store.DB {
		db, err := store.OpenSQLite(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b := open(), open()
	var wg sync.WaitGroup
	errc := make(chan error, 200)
	for i, db := range []*store.DB{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				id := filepath.Base(t.Name()) + "-" + string(rune('a'+i)) + "-" + time.Now().Format("150405.000000000")
				errc <- db.InsertSaaS(context.Background(), saas.SaaS{ID: id, Name: "x", CreatedAt: time.Now()})
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := a.ListSaaS(t.Context())
	if err != nil || len(all) != 100 {
		t.Fatalf("ListSaaS = %d rows, %v; want 100", len(all), err)
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	db, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("database file mode = %v, want no group/other access: it holds secret keys", perm)
	}
}

// Several servers starting together on one PostgreSQL must migrate once.
func TestPostgresConcurrentMigrate(t *testing.T) {
	url := storetest.PostgresURL(t)
	fresh, err := store.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Pending(t.Context())
	fresh.Close()
	if err != nil || want == 0 {
		t.Fatalf("Pending on a new database = %d, %v", want, err)
	}
	var wg sync.WaitGroup
	applied := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.OpenPostgres(context.Background(), url)
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			n, err := db.Migrate(context.Background())
			if err != nil {
				t.Error(err)
			}
			applied <- n
		}()
	}
	wg.Wait()
	close(applied)
	total := 0
	for n := range applied {
		total += n
	}
	db, _ := store.OpenPostgres(t.Context(), url)
	defer db.Close()
	pending, err := db.Pending(t.Context())
	if err != nil || pending != 0 {
		t.Fatalf("Pending = %d, %v", pending, err)
	}
	if total != want {
		t.Fatalf("migrations applied across 4 concurrent servers = %d, want %d", total, want)
	}
}

// On PostgreSQL only the API log commits without waiting for its WAL
// flush (like SQLite's apilog.db at synchronous NORMAL); every other write
// waits, so an acknowledged metering update survives a server crash.
func TestPostgresOnlyTheAPILogCommitsAsynchronously(t *testing.T) {
	db := storetest.OpenPostgres(t)
	main, log, err := db.SynchronousCommitForTest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The main pool keeps the server's own setting (the test cluster's is
	// off, for speed; a production server's is on).
	if strings.HasSuffix(main, " client") || log != "off client" {
		t.Errorf("synchronous_commit: main pool %q, API log writer %q; want the server's, off client", main, log)
	}
}
