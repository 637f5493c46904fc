package metering

import (
	"context"
	"fmt"

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

// PurgeExpired deletes the Idempotency-Keys past their retention, in
// batches that keep transactions short, and returns how many it deleted.
// It is the work of a periodic background job (internal/jobs).
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	const batch = 5000
	var total int64
	for {
		var n int64
		err := s.store.WriteTx(ctx, func(tx Tx) error {
			var err error
			n, err = tx.PurgeIdempotent(ctx, s.now(), batch)
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("purge idempotency keys: %w", err)
		}
		if n < batch || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
