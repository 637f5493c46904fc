package metering

import (
	"context"
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// SetTimeZone changes the time zone of a SaaS's day and month buckets and
// rebuilds every roll-up of the SaaS from its entries, in one transaction:
// no read ever sees days of two zones. It returns how many day roll-ups
// now exist.
func (s *Service) SetTimeZone(ctx context.Context, saasID, name string) (int, error) {
	loc, err := Location(name)
	if err != nil {
		return 0, errs.Invalid("time zone: %q is not an IANA time zone name such as Asia/Tokyo or UTC", name)
	}
	var n int
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if err := tx.SetTimeZone(ctx, saasID, name); err != nil {
			return err
		}
		// Fold the entries into day roll-ups in memory (one row per
		// counter and day, not per entry), then write them.
		days := map[dayKey]*Day{}
		var order []dayKey
		err := tx.ScanEntries(ctx, saasID, func(k Key, e Entry) error {
			dk := dayKey{k, DayOf(e.Timestamp, loc)}
			d, ok := days[dk]
			if !ok {
				d = &Day{Date: dk.d}
				days[dk] = d
				order = append(order, dk)
			}
			d.Sum += e.Count
			d.Max = max(d.Max, e.Count)
			d.Entries++
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteDays(ctx, saasID); err != nil {
			return err
		}
		rows := make([]KeyedDay, 0, len(order))
		for _, dk := range order {
			rows = append(rows, KeyedDay{Key: dk.k, Day: *days[dk]})
		}
		n = len(order)
		return tx.PutDays(ctx, rows)
	})
	return n, err
}

// Purger deletes expired idempotency keys in the background.
type Purger struct {
	svc   *Service
	every time.Duration
	log   *slog.Logger
}

// NewPurger returns a purger running every interval.
func NewPurger(svc *Service, every time.Duration, log *slog.Logger) *Purger {
	return &Purger{svc: svc, every: every, log: log}
}

// Run purges until ctx ends, in batches that keep transactions short.
func (p *Purger) Run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			var n int64
			err := p.svc.store.WriteTx(ctx, func(tx Tx) error {
				var err error
				n, err = tx.PurgeIdempotent(ctx, p.svc.now(), 5000)
				return err
			})
			if err != nil {
				p.log.Error("purge idempotency keys", "err", err)
				break
			}
			if n < 5000 {
				break
			}
		}
	}
}
