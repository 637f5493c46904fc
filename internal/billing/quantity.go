package billing

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
)

// usageReader reads the quantity of windows of one tenant from the daily
// roll-ups, touching entries only for the part-days at a window's ends (a
// plan that changed at 14:37). It reads the roll-ups of every day the
// windows span, for all meters, in one query: a tenant with a year of
// invoices has 60 windows to check for late usage, and one query of a few
// thousand rows costs far less than 60 queries.
type usageReader struct {
	tx             Tx
	loc            *time.Location
	saasID, tenant string
	from, to       metering.Date // the preloaded days
	days           map[string][]metering.Day
}

func newUsageReader(ctx context.Context, tx Tx, loc *time.Location, saasID, tenantID string, ws []Window) (*usageReader, error) {
	r := &usageReader{tx: tx, loc: loc, saasID: saasID, tenant: tenantID}
	for _, w := range ws {
		if w.From >= w.To {
			continue
		}
		first, last := metering.DayOf(w.From, loc), metering.DayOf(w.To-1, loc)
		if r.from == "" || first < r.from {
			r.from = first
		}
		if r.to == "" || last > r.to {
			r.to = last
		}
	}
	if r.from == "" {
		return r, nil
	}
	var err error
	r.days, err = tx.Days(ctx, saasID, tenantID, r.from, r.to)
	return r, err
}

// quantities reads every window.
func (r *usageReader) quantities(ctx context.Context, ws []Window) (map[Window]uint64, error) {
	out := make(map[Window]uint64, len(ws))
	for _, w := range ws {
		q, err := r.quantity(ctx, w)
		if err != nil {
			return nil, err
		}
		out[w] = q
	}
	return out, nil
}

// quantity folds the window: whole days from their roll-ups (sum of sums,
// or max of maxima), part-days from their entries.
func (r *usageReader) quantity(ctx context.Context, w Window) (uint64, error) {
	if w.From >= w.To {
		return 0, nil
	}
	first, last := metering.DayOf(w.From, r.loc), metering.DayOf(w.To-1, r.loc)
	days := r.days[w.MeterID]
	if first < r.from || last > r.to {
		m, err := r.tx.Days(ctx, r.saasID, r.tenant, first, last, w.MeterID)
		if err != nil {
			return 0, err
		}
		days = m[w.MeterID]
	}
	k := metering.Key{SaaSID: r.saasID, TenantID: r.tenant, MeterID: w.MeterID}
	var q uint64
	fold := func(n int64) bool {
		if n <= 0 {
			return true
		}
		if w.Aggregate == pricing.AggregateMax {
			q = max(q, uint64(n))
			return true
		}
		var ok bool
		q, ok = addAmount(q, uint64(n))
		return ok
	}
	part := func(from, to int64) error {
		var n int64
		var err error
		if w.Aggregate == pricing.AggregateMax {
			n, err = r.tx.MaxEntry(ctx, k, from, to)
		} else {
			n, err = r.tx.SumEntries(ctx, k, from, to)
		}
		if err == nil && !fold(n) {
			err = errTooLarge("usage of meter " + w.MeterID)
		}
		return err
	}
	for _, d := range days {
		if d.Date < first || d.Date > last {
			continue
		}
		start, end := d.Date.Bounds(r.loc)
		if start >= w.From && end <= w.To { // a whole day of the window
			n := d.Sum
			if w.Aggregate == pricing.AggregateMax {
				n = d.Max
			}
			if !fold(n) {
				return 0, errTooLarge("usage of meter " + w.MeterID)
			}
			continue
		}
		if err := part(max(start, w.From), min(end, w.To)); err != nil {
			return 0, err
		}
	}
	return q, nil
}
