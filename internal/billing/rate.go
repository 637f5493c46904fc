package billing

import (
	"github.com/saasplane/saasplane/internal/pricing"
)

// Charge returns what a metered unit charges for the quantity q of one
// rating window, by the formulas of the SaaSus Pricing API:
//
//   - usage: q × unit_amount;
//   - tiered (volume): the first tier with inf or q ≤ up_to prices the whole
//     quantity: flat_amount + q × unit_amount (so q = 0 pays the first
//     tier's flat_amount);
//   - tiered_usage (graduated): every tier that q reaches charges its
//     flat_amount plus its own slice × its unit_amount (q = 0 pays nothing).
//
// It is pure: u is only read. A fixed unit charges nothing here (its fee
// is Prorate's). ok is false when the amount would exceed MaxAmount.
func Charge(u pricing.Unit, q uint64) (amount uint64, ok bool) {
	switch u.Type {
	case pricing.UnitTypeUsage:
		return mulAmount(q, u.UnitAmount)
	case pricing.UnitTypeTiered:
		t, found := volumeTier(u.Tiers, q)
		if !found {
			return 0, true
		}
		per, ok := mulAmount(q, t.UnitAmount)
		if !ok {
			return 0, false
		}
		return addAmount(t.FlatAmount, per)
	case pricing.UnitTypeTieredUsage:
		return graduated(u.Tiers, q)
	}
	return 0, true
}

// volumeTier returns the tier that prices quantity q: the first open-ended
// one or the first whose up_to reaches q. The API requires an open-ended
// last tier; should a stored unit lack one, the last tier prices what lies
// beyond it, as if it were open-ended.
func volumeTier(tiers []pricing.Tier, q uint64) (pricing.Tier, bool) {
	for _, t := range tiers {
		if t.Inf || q <= t.UpTo {
			return t, true
		}
	}
	if len(tiers) == 0 {
		return pricing.Tier{}, false
	}
	return tiers[len(tiers)-1], true
}

// graduated prices each tier's slice of q: with prev = 0, while q > prev,
// the tier takes (inf ? q : min(q, up_to)) − prev units and its flat_amount.
// A tier whose up_to does not exceed the previous one (which the API
// refuses) takes no units.
func graduated(tiers []pricing.Tier, q uint64) (uint64, bool) {
	var total, prev uint64
	for i, t := range tiers {
		if q <= prev {
			break
		}
		top := q // an open-ended tier, or a bounded last one, takes the rest
		if !t.Inf && i < len(tiers)-1 {
			top = min(q, t.UpTo)
		}
		if top <= prev {
			continue
		}
		slice, ok := mulAmount(top-prev, t.UnitAmount)
		if !ok {
			return 0, false
		}
		if total, ok = addAmount(total, slice); !ok {
			return 0, false
		}
		if total, ok = addAmount(total, t.FlatAmount); !ok {
			return 0, false
		}
		prev = top
	}
	return total, true
}

// Prorate returns a fixed unit's fee for covered seconds of a billing
// period of periodSeconds lasting periodMonths months (1 or 12): the fee
// per recurring interval × (periodMonths / intervalMonths) × covered /
// periodSeconds, rounded once by the currency's rule. A whole period pays
// the fee exactly (× 12 for a monthly fee in a yearly period).
func Prorate(u pricing.Unit, covered, periodSeconds int64, periodMonths int) (int64, bool) {
	if covered <= 0 || periodSeconds <= 0 || u.UnitAmount == 0 {
		return 0, true
	}
	if covered > periodSeconds {
		covered = periodSeconds
	}
	intervalMonths := uint64(1)
	if u.Interval == pricing.IntervalYear {
		intervalMonths = 12
	}
	if u.UnitAmount > MaxAmount {
		return 0, false
	}
	return mulDiv(int64(u.UnitAmount), uint64(periodMonths)*uint64(covered), intervalMonths*uint64(periodSeconds), RoundingOf(u.Currency))
}
