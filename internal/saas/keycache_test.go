package saas_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestKeyCacheHonoursRevocation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	server := saas.NewService(db, clk.Now, uuid.NewString, log)
	cli := saas.NewService(db, clk.Now, uuid.NewString, log) // another process
	ctx := context.Background()

	c, err := server.Create(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := server.CreateKey(ctx, c.SaaSID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{c.APIKey, c2.APIKey} {
		if _, err := server.Lookup(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	// Revoked through the same service: refused at once.
	if err := server.RevokeKey(ctx, c.SaaSID, c.APIKey); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Lookup(ctx, c.APIKey); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("Lookup right after RevokeKey = %v, want ErrNotExist", err)
	}
	// Revoked by another process: trusted until the cache entry expires.
	if err := cli.RevokeKey(ctx, c.SaaSID, c2.APIKey); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Lookup(ctx, c2.APIKey); err != nil {
		t.Fatalf("cached key refused before its TTL: %v", err)
	}
	clk.Add(saas.KeyCacheTTL)
	if _, err := server.Lookup(ctx, c2.APIKey); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("Lookup %s after another process revoked the key = %v, want ErrNotExist", saas.KeyCacheTTL, err)
	}
}
