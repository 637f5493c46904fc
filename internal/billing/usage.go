package billing

import (
	"github.com/saasplane/saasplane/internal/pricing"
)

// Window is the usage a metered line is rated on: the entries of one meter
// with From ≤ timestamp < To (Unix seconds), aggregated by Aggregate.
type Window struct {
	MeterID   string
	From, To  int64
	Aggregate pricing.AggregateUsage
}

// Entry is a count recorded at one second, as metering stores it.
type Entry struct {
	Timestamp int64 `json:"timestamp"`
	Count     int64 `json:"count"`
}

// Aggregate folds the entries that fall in the window: their sum, or the
// largest of them for max. ok is false when a sum exceeds MaxAmount (no
// meter can reach it: an entry holds at most 2^40).
func Aggregate(entries []Entry, w Window) (q uint64, ok bool) {
	for _, e := range entries {
		if e.Timestamp < w.From || e.Timestamp >= w.To || e.Count <= 0 {
			continue
		}
		if w.Aggregate == pricing.AggregateMax {
			q = max(q, uint64(e.Count))
		} else if q, ok = addAmount(q, uint64(e.Count)); !ok {
			return 0, false
		}
	}
	return q, true
}

// aggregation is the aggregation that rates a metered unit: the unit's own
// aggregate_usage, else its meter's, else sum.
func aggregation(u pricing.Unit, meters map[string]pricing.Meter) pricing.AggregateUsage {
	if u.AggregateUsage != "" {
		return u.AggregateUsage
	}
	if m, ok := meters[u.MeterID]; ok && m.AggregateUsage != "" {
		return m.AggregateUsage
	}
	return pricing.AggregateSum
}
