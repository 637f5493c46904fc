package billing

import (
	"math"
	"reflect"
	"testing"

	"github.com/saasplane/saasplane/internal/pricing"
)

// workedTiers are the tiers of the SaaSus docs' worked example
// (saasus-api-digest.md §2.4): 1–10 @100, 11–20 @90, 21–30 @80, 31+ @70.
func workedTiers() []pricing.Tier {
	return []pricing.Tier{
		{UpTo: 10, UnitAmount: 100},
		{UpTo: 20, UnitAmount: 90},
		{UpTo: 30, UnitAmount: 80},
		{Inf: true, UnitAmount: 70},
	}
}

func tieredUnit(typ pricing.UnitType, tiers []pricing.Tier) pricing.Unit {
	return pricing.Unit{ID: "unit-t", Name: "t", Type: typ, Currency: pricing.CurrencyJPY, MeterID: "meter-1", MeterName: "m", Tiers: tiers}
}

type chargeCase struct {
	name string
	q    uint64
	want uint64
}

func runCharge(t *testing.T, u pricing.Unit, tests []chargeCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := cloneUnit(u)
			got, ok := Charge(u, tc.q)
			if !ok {
				t.Fatalf("Charge(q=%d) ok=false, want %d", tc.q, tc.want)
			}
			if got != tc.want {
				t.Errorf("Charge(q=%d) = %d, want %d", tc.q, got, tc.want)
			}
			if !unitsEqual(before, u) {
				t.Errorf("Charge changed its unit: before %+v, after %+v", before, u)
			}
		})
	}
}

func TestChargeUsage(t *testing.T) {
	t.Parallel()
	u := pricing.Unit{ID: "unit-u", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyJPY, UnitAmount: 7, MeterID: "meter-1"}
	runCharge(t, u, []chargeCase{
		{"zero", 0, 0},
		{"one", 1, 7},
		{"many", 1234, 8638},
		{"large quantity", 1 << 40, 7 << 40},
	})
	free := u
	free.UnitAmount = 0
	runCharge(t, free, []chargeCase{{"free unit", 1 << 50, 0}})
}

// TestChargeTieredWorkedExample is the docs' example: q = 15 is priced
// wholly at the second tier by tiered (volume), and slice by slice by
// tiered_usage (graduated).
func TestChargeTieredWorkedExample(t *testing.T) {
	t.Parallel()
	if got, ok := Charge(tieredUnit(pricing.UnitTypeTiered, workedTiers()), 15); !ok || got != 1350 {
		t.Errorf("tiered q=15 = %d, %v; want 1350 (15 × 90)", got, ok)
	}
	if got, ok := Charge(tieredUnit(pricing.UnitTypeTieredUsage, workedTiers()), 15); !ok || got != 1450 {
		t.Errorf("tiered_usage q=15 = %d, %v; want 1450 (10 × 100 + 5 × 90)", got, ok)
	}
}

func TestChargeTieredBoundaries(t *testing.T) {
	t.Parallel()
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, workedTiers()), []chargeCase{
		{"q=0 is in the first tier", 0, 0},
		{"q=1", 1, 100},
		{"q=up_to of tier 1", 10, 1000},
		{"q=up_to+1 of tier 1", 11, 990},
		{"worked example", 15, 1350},
		{"q=up_to of tier 2", 20, 1800},
		{"q=up_to+1 of tier 2", 21, 1680},
		{"q=up_to of tier 3", 30, 2400},
		{"q=up_to+1 of tier 3 (inf tier)", 31, 2170},
		{"deep in the inf tier", 1000, 70000},
		{"very deep in the inf tier", 1 << 40, 70 << 40},
	})
}

func TestChargeTieredUsageBoundaries(t *testing.T) {
	t.Parallel()
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, workedTiers()), []chargeCase{
		{"q=0 pays nothing", 0, 0},
		{"q=1", 1, 100},
		{"q=up_to of tier 1", 10, 1000},
		{"q=up_to+1 of tier 1", 11, 1090},
		{"worked example", 15, 1450},
		{"q=up_to of tier 2", 20, 1900},
		{"q=up_to+1 of tier 2", 21, 1980},
		{"q=up_to of tier 3", 30, 2700},
		{"q=up_to+1 of tier 3 (inf tier)", 31, 2770},
		{"deep in the inf tier", 1000, 2700 + 970*70},
		{"very deep in the inf tier", 1 << 40, 2700 + ((1<<40)-30)*70},
	})
}

// TestChargeTieredFlatSteps is the docs' "fixed amount per step" use of
// tiered: unit_amount 0 and a flat_amount per tier.
func TestChargeTieredFlatSteps(t *testing.T) {
	t.Parallel()
	tiers := []pricing.Tier{
		{UpTo: 10, FlatAmount: 500},
		{UpTo: 50, FlatAmount: 1000},
		{Inf: true, FlatAmount: 3000},
	}
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, tiers), []chargeCase{
		{"q=0 pays the first step", 0, 500},
		{"q=10", 10, 500},
		{"q=11", 11, 1000},
		{"q=50", 50, 1000},
		{"q=51", 51, 3000},
		{"deep", 1 << 50, 3000},
	})
	// Flat and per-unit amounts together: flat_amount + q × unit_amount of
	// the one tier that prices q.
	mixed := []pricing.Tier{
		{UpTo: 10, UnitAmount: 100, FlatAmount: 50},
		{Inf: true, UnitAmount: 70, FlatAmount: 300},
	}
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, mixed), []chargeCase{
		{"q=0", 0, 50},
		{"q=10", 10, 1050},
		{"q=11", 11, 300 + 770},
	})
}

// TestChargeTieredUsageFlatAmounts: every tier that q reaches adds its
// flat_amount once, so a unit deep enough pays all of them.
func TestChargeTieredUsageFlatAmounts(t *testing.T) {
	t.Parallel()
	tiers := []pricing.Tier{
		{UpTo: 10, UnitAmount: 100, FlatAmount: 50},
		{UpTo: 20, UnitAmount: 90, FlatAmount: 30},
		{Inf: true, UnitAmount: 70, FlatAmount: 20},
	}
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, tiers), []chargeCase{
		{"q=0 reaches no tier", 0, 0},
		{"q=1 reaches tier 1", 1, 50 + 100},
		{"q=10", 10, 50 + 1000},
		{"q=11 reaches tier 2", 11, 50 + 1000 + 30 + 90},
		{"q=20", 20, 50 + 1000 + 30 + 900},
		{"q=21: all three flats apply", 21, 50 + 1000 + 30 + 900 + 20 + 70},
		{"q=100", 100, 50 + 1000 + 30 + 900 + 20 + 80*70},
	})
	flatOnly := []pricing.Tier{
		{UpTo: 1, FlatAmount: 1000},
		{UpTo: 2, FlatAmount: 100},
		{Inf: true, FlatAmount: 10},
	}
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, flatOnly), []chargeCase{
		{"q=1", 1, 1000},
		{"q=2", 2, 1100},
		{"q=3", 3, 1110},
		{"q=1000", 1000, 1110},
	})
}

func TestChargeSingleInfTier(t *testing.T) {
	t.Parallel()
	tiers := []pricing.Tier{{Inf: true, UnitAmount: 3, FlatAmount: 10}}
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, tiers), []chargeCase{{"q=0", 0, 10}, {"q=5", 5, 25}})
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, tiers), []chargeCase{{"q=0", 0, 0}, {"q=5", 5, 25}})
}

// TestChargeOutsideTheAPIRules pins what a stored unit the API would not
// accept charges, so such data never panics or charges at random.
func TestChargeOutsideTheAPIRules(t *testing.T) {
	t.Parallel()
	bounded := []pricing.Tier{{UpTo: 10, UnitAmount: 100}, {UpTo: 20, UnitAmount: 90}}
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, bounded), []chargeCase{{"beyond the last bounded tier", 25, 25 * 90}})
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, bounded), []chargeCase{{"beyond the last bounded tier", 25, 1000 + 15*90}})
	runCharge(t, tieredUnit(pricing.UnitTypeTiered, nil), []chargeCase{{"no tiers", 5, 0}})
	runCharge(t, tieredUnit(pricing.UnitTypeTieredUsage, nil), []chargeCase{{"no tiers", 5, 0}})
	if got, ok := Charge(pricing.Unit{Type: pricing.UnitTypeFixed, UnitAmount: 1000}, 5); !ok || got != 0 {
		t.Errorf("Charge(fixed) = %d, %v; want 0, true (a fixed fee is Prorate's)", got, ok)
	}
}

func TestChargeOverflow(t *testing.T) {
	t.Parallel()
	const maxA = uint64(MaxAmount)
	usage := func(amount uint64) pricing.Unit {
		return pricing.Unit{Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyUSD, UnitAmount: amount}
	}
	tests := []struct {
		name   string
		u      pricing.Unit
		q      uint64
		want   uint64
		wantOK bool
	}{
		{"usage exactly MaxAmount", usage(maxA), 1, maxA, true},
		{"usage MaxAmount × 2", usage(maxA), 2, 0, false},
		{"usage 2^62 × 2 = 2^63", usage(1 << 62), 2, 0, false},
		{"usage 2^32 × 2^32 would wrap to 0", usage(1 << 32), 1 << 32, 0, false},
		{"usage 2^63 unit amount", usage(1 << 63), 1, 0, false},
		{"usage max quantity × 1", usage(1), math.MaxUint64, 0, false},
		{"tiered flat + q×unit one past MaxAmount", tieredUnit(pricing.UnitTypeTiered, []pricing.Tier{{Inf: true, UnitAmount: 1, FlatAmount: maxA}}), 1, 0, false},
		{"tiered flat MaxAmount at q=0", tieredUnit(pricing.UnitTypeTiered, []pricing.Tier{{Inf: true, UnitAmount: 1, FlatAmount: maxA}}), 0, maxA, true},
		{"tiered q × unit wraps", tieredUnit(pricing.UnitTypeTiered, []pricing.Tier{{Inf: true, UnitAmount: 1 << 33}}), 1 << 31, 0, false},
		{"tiered_usage slices sum past MaxAmount", tieredUnit(pricing.UnitTypeTieredUsage, []pricing.Tier{{UpTo: 1, UnitAmount: maxA}, {Inf: true, UnitAmount: 1}}), 2, 0, false},
		{"tiered_usage flats sum past MaxAmount", tieredUnit(pricing.UnitTypeTieredUsage, []pricing.Tier{{UpTo: 1, FlatAmount: maxA}, {Inf: true, FlatAmount: 1}}), 2, 0, false},
		{"tiered_usage first tier only stays exact", tieredUnit(pricing.UnitTypeTieredUsage, []pricing.Tier{{UpTo: 1, FlatAmount: maxA}, {Inf: true, FlatAmount: 1}}), 1, maxA, true},
		{"tiered_usage slice × unit wraps", tieredUnit(pricing.UnitTypeTieredUsage, []pricing.Tier{{Inf: true, UnitAmount: 1 << 32}}), 1 << 32, 0, false},
		{"tiered_usage exact MaxAmount", tieredUnit(pricing.UnitTypeTieredUsage, []pricing.Tier{{UpTo: 1, UnitAmount: maxA - 1}, {Inf: true, UnitAmount: 1}}), 2, maxA, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Charge(tc.u, tc.q)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("Charge(q=%d) = %d, %v; want %d, %v", tc.q, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// Periods of the Prorate tests: January 2026 in UTC (31 days), February
// 2026 (28 days) and the year 2026 (365 days).
const (
	jan2026Seconds = 31 * 86400
	feb2026Seconds = 28 * 86400
	year2026       = 365 * 86400
)

func fixedUnit(c pricing.Currency, amount uint64, iv pricing.Interval) pricing.Unit {
	return pricing.Unit{ID: "unit-f", Type: pricing.UnitTypeFixed, Currency: c, UnitAmount: amount, Interval: iv}
}

func TestProrate(t *testing.T) {
	t.Parallel()
	jpy, usd := pricing.CurrencyJPY, pricing.CurrencyUSD
	month, year := pricing.IntervalMonth, pricing.IntervalYear
	tests := []struct {
		name           string
		u              pricing.Unit
		covered, total int64
		months         int
		want           int64
		wantOK         bool
	}{
		{"whole month is the exact fee", fixedUnit(jpy, 3100, month), jan2026Seconds, jan2026Seconds, 1, 3100, true},
		{"whole February is the exact fee", fixedUnit(jpy, 3100, month), feb2026Seconds, feb2026Seconds, 1, 3100, true},
		{"15 of 31 days", fixedUnit(jpy, 3100, month), 15 * 86400, jan2026Seconds, 1, 1500, true},
		{"half of February", fixedUnit(jpy, 1000, month), 14 * 86400, feb2026Seconds, 1, 500, true},
		{"one second JPY rounds down to 0", fixedUnit(jpy, 1000, month), 1, jan2026Seconds, 1, 0, true},
		{"one second USD below half a cent is 0", fixedUnit(usd, 1000, month), 1, jan2026Seconds, 1, 0, true},
		{"one second of a large fee", fixedUnit(jpy, 2678400*7, month), 1, jan2026Seconds, 1, 7, true},
		{"all but one second", fixedUnit(jpy, 3100, month), jan2026Seconds - 1, jan2026Seconds, 1, 3099, true},
		{"all but one second USD rounds half up to the fee", fixedUnit(usd, 3100, month), jan2026Seconds - 1, jan2026Seconds, 1, 3100, true},
		{"JPY .5 rounds down", fixedUnit(jpy, 1001, month), 14 * 86400, feb2026Seconds, 1, 500, true},
		{"USD .5 rounds half up", fixedUnit(usd, 1001, month), 14 * 86400, feb2026Seconds, 1, 501, true},
		{"USD just below .5 rounds down", fixedUnit(usd, 1001, month), 14*86400 - 1, feb2026Seconds, 1, 500, true},
		{"monthly fee in a yearly period is × 12", fixedUnit(jpy, 1000, month), year2026, year2026, 12, 12000, true},
		{"monthly fee for half a yearly period", fixedUnit(jpy, 1000, month), year2026 / 2, year2026, 12, 6000, true},
		{"yearly fee in a yearly period", fixedUnit(jpy, 120000, year), year2026, year2026, 12, 120000, true},
		{"yearly fee from 1 July (184 of 365 days)", fixedUnit(jpy, 120000, year), 184 * 86400, year2026, 12, 60493, true},
		{"yearly fee in a monthly period is a twelfth", fixedUnit(jpy, 120000, year), jan2026Seconds, jan2026Seconds, 1, 10000, true},
		{"covered beyond the period is capped", fixedUnit(jpy, 3100, month), 2 * jan2026Seconds, jan2026Seconds, 1, 3100, true},
		{"no coverage", fixedUnit(jpy, 3100, month), 0, jan2026Seconds, 1, 0, true},
		{"negative coverage", fixedUnit(jpy, 3100, month), -5, jan2026Seconds, 1, 0, true},
		{"empty period", fixedUnit(jpy, 3100, month), 5, 0, 1, 0, true},
		{"free unit", fixedUnit(jpy, 0, month), jan2026Seconds, jan2026Seconds, 1, 0, true},
		{"MaxAmount for a whole month", fixedUnit(usd, MaxAmount, month), jan2026Seconds, jan2026Seconds, 1, MaxAmount, true},
		{"MaxAmount × 12 overflows", fixedUnit(usd, MaxAmount, month), year2026, year2026, 12, 0, false},
		{"a fee above MaxAmount", fixedUnit(usd, 1<<63, month), 1, jan2026Seconds, 1, 0, false},
		// 9223368527201607162 × 12 × 5256002 / 31536000 is 2^64 − 1 and
		// 0.94: rounded half up it is 2^64, which must not wrap to 0.
		{"rounding up to 2^64 does not wrap", fixedUnit(usd, 9223368527201607162, month), 5256002, year2026, 12, 0, false},
		{"the same rounded down is still too large", fixedUnit(jpy, 9223368527201607162, month), 5256002, year2026, 12, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Prorate(tc.u, tc.covered, tc.total, tc.months)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("Prorate(%d, covered %d of %d, %d months) = %d, %v; want %d, %v",
					tc.u.UnitAmount, tc.covered, tc.total, tc.months, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	entries := []Entry{
		{Timestamp: 99, Count: 1000},   // before the window
		{Timestamp: 100, Count: 5},     // first second of the window
		{Timestamp: 150, Count: 12},    // the largest
		{Timestamp: 160, Count: -3},    // a negative value counts as nothing
		{Timestamp: 170, Count: 0},     // so does zero
		{Timestamp: 199, Count: 7},     // last second of the window
		{Timestamp: 200, Count: 10000}, // the end is exclusive
	}
	tests := []struct {
		name string
		w    Window
		want uint64
	}{
		{"sum", Window{From: 100, To: 200, Aggregate: pricing.AggregateSum}, 24},
		{"empty aggregation is sum", Window{From: 100, To: 200}, 24},
		{"max", Window{From: 100, To: 200, Aggregate: pricing.AggregateMax}, 12},
		{"empty window", Window{From: 100, To: 100}, 0},
		{"window without entries", Window{From: 300, To: 400, Aggregate: pricing.AggregateMax}, 0},
		{"everything", Window{From: 0, To: 1000}, 11024},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Aggregate(entries, tc.w)
			if !ok || got != tc.want {
				t.Errorf("Aggregate(%+v) = %d, %v; want %d, true", tc.w, got, ok, tc.want)
			}
		})
	}
	big := []Entry{{Timestamp: 1, Count: math.MaxInt64}, {Timestamp: 2, Count: 1}}
	if _, ok := Aggregate(big, Window{From: 0, To: 10}); ok {
		t.Error("Aggregate: a sum beyond MaxAmount gave ok=true")
	}
	if got, ok := Aggregate(big, Window{From: 0, To: 10, Aggregate: pricing.AggregateMax}); !ok || got != math.MaxInt64 {
		t.Errorf("Aggregate max = %d, %v; want MaxInt64, true", got, ok)
	}
}

func TestAggregation(t *testing.T) {
	t.Parallel()
	meters := map[string]pricing.Meter{
		"meter-max":   {ID: "meter-max", AggregateUsage: pricing.AggregateMax},
		"meter-sum":   {ID: "meter-sum", AggregateUsage: pricing.AggregateSum},
		"meter-unset": {ID: "meter-unset"},
	}
	tests := []struct {
		name  string
		unit  pricing.AggregateUsage
		meter string
		want  pricing.AggregateUsage
	}{
		{"unit's max wins over meter's sum", pricing.AggregateMax, "meter-sum", pricing.AggregateMax},
		{"unit's sum wins over meter's max", pricing.AggregateSum, "meter-max", pricing.AggregateSum},
		{"meter's max when the unit has none", "", "meter-max", pricing.AggregateMax},
		{"sum when neither has one", "", "meter-unset", pricing.AggregateSum},
		{"sum when the meter is unknown", "", "meter-gone", pricing.AggregateSum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := pricing.Unit{Type: pricing.UnitTypeUsage, MeterID: tc.meter, AggregateUsage: tc.unit}
			if got := aggregation(u, meters); got != tc.want {
				t.Errorf("aggregation = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestUnitDefRoundTrip: a line's provenance rates exactly as the unit it
// was captured from, and its hash ignores names.
func TestUnitDefRoundTrip(t *testing.T) {
	t.Parallel()
	u := tieredUnit(pricing.UnitTypeTieredUsage, workedTiers())
	u.UnitAmount = 999 // meaningless for a tiered unit: not part of its definition
	d := defOf(u, pricing.AggregateSum)
	if d.UnitAmount != 0 {
		t.Errorf("defOf(tiered).UnitAmount = %d, want 0", d.UnitAmount)
	}
	for _, q := range []uint64{0, 10, 15, 31, 1000} {
		a, _ := Charge(u, q)
		b, _ := Charge(d.Unit(), q)
		if a != b {
			t.Errorf("q=%d: unit charges %d, its definition %d", q, a, b)
		}
	}
	renamed := u
	renamed.Name, renamed.DisplayName = "other", "Other"
	if defOf(renamed, pricing.AggregateSum).Hash() != d.Hash() {
		t.Error("a renamed unit has another hash")
	}
	changed := cloneUnit(u)
	changed.Tiers[1].UnitAmount = 91
	if defOf(changed, pricing.AggregateSum).Hash() == d.Hash() {
		t.Error("a unit with another tier price has the same hash")
	}
	if defOf(u, pricing.AggregateMax).Hash() == d.Hash() {
		t.Error("the same unit under another aggregation has the same hash")
	}
}

func cloneUnit(u pricing.Unit) pricing.Unit {
	if u.Tiers != nil {
		u.Tiers = append([]pricing.Tier(nil), u.Tiers...)
	}
	return u
}

func unitsEqual(a, b pricing.Unit) bool { return reflect.DeepEqual(a, b) }
