package apilog

import (
	"context"
	"log/slog"
	"time"
)

// Purger defaults.
const (
	DefaultPurgeInterval = 10 * time.Minute
	// DefaultPurgeBatch bounds one DELETE statement, so a purge never
	// holds a long lock or builds a huge transaction.
	DefaultPurgeBatch = 10000
)

// Purger deletes expired entries (TTL before now): once when Run starts,
// then every interval, each time in statements of at most batch rows until
// none is left.
type Purger struct {
	store    Store
	now      func() time.Time
	interval time.Duration
	batch    int
	log      *slog.Logger
}

// NewPurger builds a Purger; interval <= 0 and batch <= 0 take the defaults.
func NewPurger(store Store, now func() time.Time, interval time.Duration, batch int, log *slog.Logger) *Purger {
	if interval <= 0 {
		interval = DefaultPurgeInterval
	}
	if batch <= 0 {
		batch = DefaultPurgeBatch
	}
	return &Purger{store: store, now: now, interval: interval, batch: batch, log: log}
}

// Run purges until ctx is cancelled. Failures are logged and retried at the
// next tick.
func (p *Purger) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		if n, err := p.Purge(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("api log: purge failed", "deleted", n, "error", err)
		} else if n > 0 {
			p.log.Info("api log: purged expired entries", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Purge deletes every entry expired at now, batch by batch, and returns how
// many it deleted.
func (p *Purger) Purge(ctx context.Context) (int64, error) {
	before := p.now()
	var total int64
	for {
		n, err := p.store.Purge(ctx, before, p.batch)
		total += n
		if err != nil || n < int64(p.batch) {
			return total, err
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
