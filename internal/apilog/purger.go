package apilog

import (
	"context"
	"time"
)

// Purger defaults.
const (
	DefaultPurgeInterval = 10 * time.Minute
	// DefaultPurgeBatch bounds one DELETE statement, so a purge never
	// holds a long lock or builds a huge transaction.
	DefaultPurgeBatch = 10000
)

// Purger deletes expired entries (TTL before now), in statements of at most
// batch rows until none is left. A periodic background job (internal/jobs)
// calls Purge.
type Purger struct {
	store Store
	now   func() time.Time
	batch int
}

// NewPurger builds a Purger; batch <= 0 takes the default.
func NewPurger(store Store, now func() time.Time, batch int) *Purger {
	if batch <= 0 {
		batch = DefaultPurgeBatch
	}
	return &Purger{store: store, now: now, batch: batch}
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
