package billing

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/tenant"
)

// fuzzBytes turns fuzz input into choices; once exhausted it reads zeros,
// so every input, however short, describes one case.
type fuzzBytes struct{ b []byte }

func (r *fuzzBytes) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzBytes) intn(n int) int { return int(r.byte()) % n }

func (r *fuzzBytes) u32() uint32 {
	return uint32(r.byte()) | uint32(r.byte())<<8 | uint32(r.byte())<<16 | uint32(r.byte())<<24
}

// amount is any amount the API accepts (0 to MaxAmount), small ones most
// often, so that both exact results and overflow are reached.
func (r *fuzzBytes) amount() uint64 {
	b := r.byte()
	switch b >> 6 {
	case 0:
		return uint64(b & 63)
	case 1:
		return uint64(b&63)*1000 + uint64(r.byte())
	case 2:
		return uint64(1) << (uint(b&63) % 63)
	default:
		return MaxAmount - uint64(b&63)
	}
}

// money is a price of a realistic size (below 2^24), now and then a huge one.
func (r *fuzzBytes) money() uint64 {
	if r.intn(32) == 0 {
		return r.amount()
	}
	return uint64(r.byte()) | uint64(r.byte()&0x3f)<<8
}

// tiers builds tiers that satisfy the API's rules (validateTiers): one to
// six tiers, up_to strictly ascending and above 0, only the last one
// open-ended. amount draws each price.
func (r *fuzzBytes) tiers(amount func() uint64) []pricing.Tier {
	n := 1 + r.intn(6)
	tiers := make([]pricing.Tier, n)
	var up uint64
	for i := range tiers {
		flat := uint64(0)
		if r.byte() >= 128 {
			flat = amount()
		}
		if i == n-1 {
			// The open tier's up_to is ignored, so it may be anything.
			tiers[i] = pricing.Tier{Inf: true, UpTo: uint64(r.byte()), UnitAmount: amount(), FlatAmount: flat}
			break
		}
		up += 1 + uint64(r.byte())<<(r.byte()%41) // below 2^49 each: no uint64 overflow in six tiers
		tiers[i] = pricing.Tier{UpTo: up, UnitAmount: amount(), FlatAmount: flat}
	}
	return tiers
}

func mustValidUnit(t testing.TB, u pricing.Unit) {
	t.Helper()
	in := pricing.UnitInput{Name: u.Name, Type: u.Type, Currency: u.Currency, UnitAmount: u.UnitAmount, Interval: u.Interval,
		MeterName: u.MeterName, AggregateUsage: u.AggregateUsage, Tiers: u.Tiers}
	if err := in.Validate(); err != nil {
		t.Fatalf("the fuzz generator built a unit the API refuses: %v (%+v)", err, u)
	}
}

// refCharge is the digest's formula (saasus-api-digest.md §2.4) in exact
// arithmetic.
func refCharge(u pricing.Unit, q uint64) *big.Int {
	bq := new(big.Int).SetUint64(q)
	mul := func(a, b uint64) *big.Int {
		return new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	}
	switch u.Type {
	case pricing.UnitTypeUsage:
		return mul(q, u.UnitAmount)
	case pricing.UnitTypeTiered:
		for _, t := range u.Tiers {
			if t.Inf || q <= t.UpTo {
				s := new(big.Int).Mul(bq, new(big.Int).SetUint64(t.UnitAmount))
				return s.Add(s, new(big.Int).SetUint64(t.FlatAmount))
			}
		}
		return new(big.Int)
	case pricing.UnitTypeTieredUsage:
		total := new(big.Int)
		var prev uint64
		for _, t := range u.Tiers {
			if q <= prev {
				break
			}
			top := q
			if !t.Inf {
				top = min(q, t.UpTo)
			}
			total.Add(total, mul(top-prev, t.UnitAmount))
			total.Add(total, new(big.Int).SetUint64(t.FlatAmount))
			prev = t.UpTo
		}
		return total
	}
	return new(big.Int)
}

var bigMaxAmount = big.NewInt(MaxAmount)

func checkChargeRef(t *testing.T, u pricing.Unit, q uint64) (uint64, bool) {
	t.Helper()
	got, ok := Charge(u, q)
	want := refCharge(u, q)
	wantOK := want.Cmp(bigMaxAmount) <= 0
	if ok != wantOK || (ok && got != want.Uint64()) {
		t.Fatalf("%s Charge(q=%d) = %d, %v; exact %s (tiers %+v)", u.Type, q, got, ok, want, u.Tiers)
	}
	return got, ok
}

// FuzzTieredUsageMonotonic: a graduated (tiered_usage) charge never
// decreases as the quantity grows, once beyond MaxAmount it stays beyond,
// and both tiered types agree with the exact formula.
func FuzzTieredUsageMonotonic(f *testing.F) {
	f.Add([]byte{3, 0, 9, 0, 100, 0, 9, 0, 90, 0, 9, 0, 80, 0, 0, 70}, uint64(15), uint64(1))
	f.Add([]byte{0, 200, 5, 0, 10}, uint64(0), uint64(1))
	f.Add([]byte{5, 255, 200, 40, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint64(1<<40), uint64(1<<45))
	f.Add([]byte{2, 129, 255, 10, 0, 192, 128, 255, 255}, uint64(math.MaxUint64-1), uint64(5))
	f.Add([]byte{4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, uint64(12), uint64(3))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 16 {
		b := make([]byte, 40)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b, rng.Uint64()>>rng.UintN(64), rng.Uint64()>>rng.UintN(64))
	}
	f.Fuzz(func(t *testing.T, data []byte, q, step uint64) {
		r := &fuzzBytes{b: data}
		tiers := r.tiers(r.amount)
		u := pricing.Unit{Name: "n", Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyJPY, MeterName: "m", Tiers: tiers}
		mustValidUnit(t, u)
		before := slices.Clone(tiers)

		// Every boundary, one past it, and the fuzzed quantities, ascending.
		qs := []uint64{0, 1, q, q + step}
		if q+step < q {
			qs[3] = math.MaxUint64
		}
		for _, tr := range tiers[:len(tiers)-1] {
			qs = append(qs, tr.UpTo-1, tr.UpTo, tr.UpTo+1)
		}
		slices.Sort(qs)
		var last uint64
		lastOK := true
		for _, x := range qs {
			got, ok := checkChargeRef(t, u, x)
			if !lastOK && ok {
				t.Fatalf("Charge(q=%d) is ok after a smaller quantity overflowed", x)
			}
			if ok && got < last {
				t.Fatalf("Charge(q=%d) = %d is below %d of a smaller quantity (tiers %+v)", x, got, last, tiers)
			}
			if ok {
				last = got
			}
			lastOK = ok
		}
		if got, ok := Charge(u, 0); !ok || got != 0 {
			t.Fatalf("tiered_usage Charge(0) = %d, %v; want 0", got, ok)
		}
		vol := u
		vol.Type = pricing.UnitTypeTiered
		for _, x := range qs {
			checkChargeRef(t, vol, x)
		}
		if !reflect.DeepEqual(before, tiers) {
			t.Fatalf("Charge changed the tiers: %+v, was %+v", tiers, before)
		}
	})
}

// bigRound is a × b / den rounded by r, exactly.
func bigRound(a int64, b, den uint64, r Rounding) *big.Int {
	n := new(big.Int).Mul(big.NewInt(a), new(big.Int).SetUint64(b))
	neg := n.Sign() < 0
	n.Abs(n)
	d := new(big.Int).SetUint64(den)
	q, rem := new(big.Int).QuoRem(n, d, new(big.Int))
	if r == RoundHalfUp && rem.Lsh(rem, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

func checkRounded(t *testing.T, what string, got int64, ok bool, want *big.Int) {
	t.Helper()
	abs := new(big.Int).Abs(want)
	wantOK := abs.Cmp(bigMaxAmount) <= 0
	if ok != wantOK || (ok && (!want.IsInt64() || got != want.Int64())) {
		t.Fatalf("%s = %d, %v; exact %s", what, got, ok, want)
	}
}

// FuzzMulDiv checks mulDiv and Tax against math/big: exact rounding by
// both rules, and ok=false exactly when the true result exceeds MaxAmount.
func FuzzMulDiv(f *testing.F) {
	f.Add(int64(7), uint64(1), uint64(2), true)
	f.Add(int64(-7), uint64(1), uint64(2), true)
	f.Add(int64(1190112520884487201), uint64(31), uint64(2), true) // 2^64 − 0.5: rounding must not wrap
	f.Add(int64(math.MaxInt64), uint64(1<<63+1), uint64(1<<63), true)
	f.Add(int64(math.MinInt64), uint64(1), uint64(1), false)
	f.Add(int64(math.MinInt64), uint64(1), uint64(2), true)
	f.Add(int64(math.MaxInt64), uint64(math.MaxUint64), uint64(math.MaxUint64), true)
	f.Add(int64(math.MaxInt64), uint64(3), uint64(2), false)
	f.Add(int64(1005), uint64(100_000), uint64(1_000_000), true)
	f.Add(int64(-1005), uint64(100_000), uint64(1_100_000), false)
	f.Add(int64(9223368527201607162), uint64(12*5256002), uint64(31536000), true)
	f.Fuzz(func(t *testing.T, a int64, b, den uint64, halfUp bool) {
		if den == 0 {
			return // mulDiv requires den > 0
		}
		r := RoundDown
		if halfUp {
			r = RoundHalfUp
		}
		got, ok := mulDiv(a, b, den, r)
		checkRounded(t, fmt.Sprintf("mulDiv(%d, %d, %d, %v)", a, b, den, r), got, ok, bigRound(a, b, den, r))

		// Tax: the same operands as a base and a rate from 0 to 100 %.
		m := b % (percentScale + 1)
		for _, c := range []pricing.Currency{pricing.CurrencyJPY, pricing.CurrencyUSD} {
			for _, incl := range []bool{false, true} {
				rate := Rate{Millionths: m, Inclusive: incl}
				d := uint64(percentScale)
				if incl {
					d += m
				}
				got, ok := Tax(a, rate, c)
				checkRounded(t, fmt.Sprintf("Tax(%d, %+v, %s)", a, rate, c), got, ok, bigRound(a, m, d, RoundingOf(c)))
				if ok && a != math.MinInt64 {
					if neg, nok := Tax(-a, rate, c); !nok || neg != -got {
						t.Fatalf("Tax(%d) = %d but Tax(%d) = %d, %v: not symmetric", a, got, -a, neg, nok)
					}
				}
			}
		}
	})
}

// The time zones the Build fuzzer draws from.
var fuzzZones = func() []*time.Location {
	out := []*time.Location{time.UTC}
	for _, name := range []string{"Asia/Tokyo", "America/New_York"} {
		if loc, err := time.LoadLocation(name); err == nil {
			out = append(out, loc)
		}
	}
	return out
}()

// fuzzWorld is a random valid catalog, plan history and usage, billed over
// three consecutive periods with late usage arriving after each
// finalization.
type fuzzWorld struct {
	plans    map[string]pricing.Plan
	meters   map[string]pricing.Meter
	taxRates map[string]pricing.TaxRate
	history  []tenant.PlanHistory
	stop     time.Time
	periods  [3]Period
	usage    map[string]map[int64]int64 // meter id → timestamp → value
	late     [3][]lateEntry             // written after period i is finalized
}

type lateEntry struct {
	meter string
	ts    int64
	count int64
}

func genWorld(t testing.TB, data []byte) fuzzWorld {
	r := &fuzzBytes{b: data}
	w := fuzzWorld{plans: map[string]pricing.Plan{}, meters: map[string]pricing.Meter{}, taxRates: map[string]pricing.TaxRate{},
		usage: map[string]map[int64]int64{}}
	currencies := []pricing.Currency{pricing.CurrencyJPY, pricing.CurrencyUSD}
	cur := currencies[r.intn(2)]
	mix := r.intn(8) == 0
	aggs := []pricing.AggregateUsage{"", pricing.AggregateSum, pricing.AggregateMax}
	types := []pricing.UnitType{pricing.UnitTypeFixed, pricing.UnitTypeUsage, pricing.UnitTypeTiered, pricing.UnitTypeTieredUsage}

	var meterIDs []string
	for i := range 1 + r.intn(3) {
		m := pricing.Meter{ID: fmt.Sprintf("meter-%d", i), Name: fmt.Sprintf("m%d", i), AggregateUsage: aggs[r.intn(3)]}
		w.meters[m.ID] = m
		meterIDs = append(meterIDs, m.ID)
	}
	var units []pricing.Unit
	for i := range 1 + r.intn(6) {
		u := pricing.Unit{ID: fmt.Sprintf("unit-%d", i), Name: fmt.Sprintf("u%d", i), DisplayName: fmt.Sprintf("Unit %d", i),
			Type: types[r.intn(4)], Currency: cur}
		if mix && r.intn(2) == 0 {
			u.Currency = currencies[r.intn(2)]
		}
		if u.Type == pricing.UnitTypeFixed {
			u.Interval = pricing.IntervalMonth
			if r.intn(8) == 0 {
				u.Interval = pricing.IntervalYear
			}
			u.UnitAmount = r.money()
		} else {
			m := w.meters[meterIDs[r.intn(len(meterIDs))]]
			u.MeterID, u.MeterName, u.AggregateUsage = m.ID, m.Name, aggs[r.intn(3)]
			if u.Type == pricing.UnitTypeUsage {
				u.UnitAmount = r.money()
			} else {
				u.Tiers = r.tiers(r.money)
			}
		}
		mustValidUnit(t, u)
		units = append(units, u)
	}
	var menus []pricing.Menu
	for i := range 1 + r.intn(3) {
		m := pricing.Menu{ID: fmt.Sprintf("menu-%d", i), Name: fmt.Sprintf("menu%d", i)}
		for range r.intn(5) {
			m.Units = append(m.Units, units[r.intn(len(units))])
		}
		menus = append(menus, m)
	}
	var planIDs []string
	for i := range 1 + r.intn(3) {
		p := pricing.Plan{ID: fmt.Sprintf("plan-%d", i), Name: fmt.Sprintf("plan%d", i)}
		for range 1 + r.intn(3) {
			p.Menus = append(p.Menus, menus[r.intn(len(menus))])
		}
		w.plans[p.ID] = p
		planIDs = append(planIDs, p.ID)
	}
	var taxIDs []string
	for i := range r.intn(3) {
		whole := r.intn(101)
		pct := fmt.Sprint(whole)
		if frac := int(r.u32() % 10000); whole < 100 && frac != 0 {
			pct = fmt.Sprintf("%d.%04d", whole, frac)
		}
		tr := pricing.TaxRate{ID: fmt.Sprintf("tax-%d", i), Name: fmt.Sprintf("tax%d", i), Percentage: pct, Inclusive: r.intn(2) == 0}
		if err := pricing.CheckPercentage(pct); err != nil {
			t.Fatalf("the fuzz generator built a percentage the API refuses: %q: %v", pct, err)
		}
		w.taxRates[tr.ID] = tr
		taxIDs = append(taxIDs, tr.ID)
	}

	yearly := r.intn(4) == 0
	loc := fuzzZones[r.intn(len(fuzzZones))]
	month := time.Month(1 + r.intn(12))
	if yearly {
		month = time.January // a year is a calendar year, as ParsePeriod reads it
	}
	p := periodAt(2026, month, yearly, loc)
	w.periods[2] = p
	w.periods[1] = PeriodOf(p.Start.Add(-time.Second), yearly, loc)
	w.periods[0] = PeriodOf(w.periods[1].Start.Add(-time.Second), yearly, loc)
	from := w.periods[0].Start.Unix()
	span := p.End.Unix() - from
	at := func() int64 { return from - span/8 + int64(r.u32())%(span+span/4) }

	for i := range r.intn(6) {
		h := tenant.PlanHistory{AppliedAt: time.Unix(at(), 0)}
		if i == 0 && r.intn(4) != 0 {
			h.AppliedAt = time.Unix(from-86400, 0) // most tenants have a plan from the start
		}
		if i := r.intn(len(planIDs) + 1); i < len(planIDs) {
			h.PlanID = planIDs[i]
		}
		if len(taxIDs) > 0 && r.intn(4) != 0 {
			h.TaxRateID = taxIDs[r.intn(len(taxIDs))]
		}
		w.history = append(w.history, h)
	}
	if r.intn(4) == 0 {
		w.stop = time.Unix(at(), 0)
	}
	count := func() int64 {
		if r.intn(16) == 0 {
			return int64(r.u32())
		}
		return int64(r.byte()) - 8 // some zeros and negative values too
	}
	for range r.intn(24) {
		m := meterIDs[r.intn(len(meterIDs))]
		if w.usage[m] == nil {
			w.usage[m] = map[int64]int64{}
		}
		w.usage[m][at()] = count()
	}
	for i := range w.late {
		billed := w.periods[i].End.Unix() - from
		for range r.intn(12) {
			// Late usage lands in a period already billed, now and then anywhere.
			ts := from + int64(r.u32())%billed
			if r.intn(4) == 0 {
				ts = at()
			}
			w.late[i] = append(w.late[i], lateEntry{meter: meterIDs[r.intn(len(meterIDs))], ts: ts, count: count()})
		}
	}
	return w
}

func (w fuzzWorld) entries(meter string) []Entry {
	var out []Entry
	for ts, c := range w.usage[meter] {
		out = append(out, Entry{Timestamp: ts, Count: c})
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	return out
}

// input builds the Input of period p, usage read from the world now.
func (w fuzzWorld) input(t testing.TB, p Period, prior []Invoice) (Input, error) {
	in := Input{TenantID: "tenant-fuzz", Period: p, Segments: Segments(w.history, p.Start, p.End, w.stop),
		Plans: w.plans, Meters: w.meters, TaxRates: w.taxRates, Prior: prior}
	before := cloneInput(in)
	ws, err := Windows(in)
	if !reflect.DeepEqual(before, in) {
		t.Fatal("Windows changed its input")
	}
	if err != nil {
		return in, err
	}
	in.Usage = map[Window]uint64{}
	for _, win := range ws {
		q, ok := Aggregate(w.entries(win.MeterID), win)
		if !ok {
			t.Fatalf("Aggregate overflowed on fuzz usage (%v)", win)
		}
		in.Usage[win] = q
	}
	return in, nil
}

// knownErrorTypes are the errors Build may return for valid inputs.
var knownErrorTypes = map[string]bool{"mixed_currencies": true, "wrong_period": true, "amount_too_large": true}

// FuzzBuild: Build on a random valid catalog, history and usage never
// panics; its result is consistent (lines sum to the subtotal, taxes to
// tax_amount, total = subtotal + exclusive taxes, every line rates again
// from its provenance), deterministic, it never changes its input, and
// adjustments telescope: an earlier line plus all its adjustments is what
// its window rates at now.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 1, 3, 0, 0, 10, 0, 1, 0, 0, 20, 0, 2, 0, 200, 5, 0, 3, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1})
	f.Add([]byte("saasplane billing: a tenant, its plans, its usage and its tax, month after month"))
	rng := rand.New(rand.NewPCG(7, 11))
	for range 48 {
		b := make([]byte, 64+rng.IntN(192))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w := genWorld(t, data)
		var prior []Invoice
		for i, p := range w.periods {
			in, err := w.input(t, p, prior)
			var inv Invoice
			if err == nil {
				before := cloneInput(in)
				histBefore := slices.Clone(w.history)
				inv, err = Build(in)
				if !reflect.DeepEqual(before, in) {
					t.Fatalf("period %s: Build changed its input", p.Key)
				}
				if !reflect.DeepEqual(histBefore, w.history) {
					t.Fatalf("period %s: the plan history changed", p.Key)
				}
				again, err2 := Build(in)
				if !reflect.DeepEqual(inv, again) || !sameError(err, err2) {
					t.Fatalf("period %s: Build is not deterministic", p.Key)
				}
			}
			if err != nil {
				var e *errs.Error
				if !errors.As(err, &e) || !knownErrorTypes[e.WireType()] {
					t.Fatalf("period %s: unexpected error %v", p.Key, err)
				}
			} else {
				checkInvoice(t, in, inv)
				if i == len(w.periods)-1 {
					checkTelescopes(t, w, prior, inv)
				}
				inv.ID, inv.Number, inv.FinalizedAt = fmt.Sprintf("inv-%d", len(prior)+1), int64(len(prior)+1), p.End.Unix()+3600
				prior = append(prior, inv)
			}
			for _, l := range w.late[i] {
				if w.usage[l.meter] == nil {
					w.usage[l.meter] = map[int64]int64{}
				}
				w.usage[l.meter][l.ts] = l.count
			}
		}
	})
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

// checkInvoice checks the invariants of one built invoice.
func checkInvoice(t *testing.T, in Input, inv Invoice) {
	t.Helper()
	if inv.Period != in.Period.Key || inv.PeriodStart != in.Period.Start.Unix() || inv.PeriodEnd != in.Period.End.Unix() || inv.Engine != Engine {
		t.Fatalf("header %+v does not match period %+v", inv, in.Period)
	}
	if inv.Lines == nil || inv.Taxes == nil {
		t.Fatal("lines and taxes must be JSON arrays, never null")
	}
	var subtotal int64
	taxable := map[string]int64{}
	for i, l := range inv.Lines {
		subtotal += l.Amount
		d := l.Provenance.Unit
		if l.Provenance.UnitHash != d.Hash() {
			t.Fatalf("line %d: unit_hash %s is not the hash of its unit %s", i, l.Provenance.UnitHash, d.Hash())
		}
		if d.Currency != inv.Currency {
			t.Fatalf("line %d in %s on an invoice in %q", i, d.Currency, inv.Currency)
		}
		if l.Provenance.Tax != nil {
			taxable[l.Provenance.Tax.ID] += l.Amount
			if l.TaxRateID != l.Provenance.Tax.ID {
				t.Fatalf("line %d: tax_rate_id %q, provenance %q", i, l.TaxRateID, l.Provenance.Tax.ID)
			}
		} else if l.TaxRateID != "" {
			t.Fatalf("line %d: tax_rate_id %q without its provenance", i, l.TaxRateID)
		}
		u := d.Unit()
		switch {
		case l.Adjusts != nil:
			prev := l.Provenance.Previous
			if prev == nil {
				t.Fatalf("line %d: an adjustment without previous_quantity", i)
			}
			now, _ := Charge(u, l.Provenance.Quantity)
			was, _ := Charge(u, *prev)
			if l.Quantity != int64(l.Provenance.Quantity)-int64(*prev) || l.Quantity == 0 || l.Amount != int64(now)-int64(was) {
				t.Fatalf("line %d: adjustment %d (amount %d) of %d → %d does not rate again", i, l.Quantity, l.Amount, *prev, l.Provenance.Quantity)
			}
			if l.To > in.Period.Start.Unix() {
				t.Fatalf("line %d adjusts a window [%d, %d) that is not before the period", i, l.From, l.To)
			}
			found := false
			for _, p := range in.Prior {
				if p.ID == l.Adjusts.InvoiceID && p.Number == l.Adjusts.Number && p.Period == l.Adjusts.Period &&
					l.Adjusts.Line < len(p.Lines) && p.Lines[l.Adjusts.Line].PricingUnitID == l.PricingUnitID &&
					p.Lines[l.Adjusts.Line].From == l.From && p.Lines[l.Adjusts.Line].Adjusts == nil {
					found = true
				}
			}
			if !found {
				t.Fatalf("line %d: adjusts %+v, which is no earlier line", i, *l.Adjusts)
			}
		case l.Type == pricing.UnitTypeFixed:
			want, _ := Prorate(u, l.Provenance.CoveredSeconds, l.Provenance.PeriodSeconds, l.Provenance.PeriodMonths)
			if l.Quantity != 1 || l.Amount != want || l.Provenance.CoveredSeconds != l.To-l.From || l.Provenance.PeriodSeconds != in.Period.Seconds() {
				t.Fatalf("line %d: fixed fee %d does not rate again (%d)", i, l.Amount, want)
			}
		default:
			want, _ := Charge(u, l.Provenance.Quantity)
			if l.Quantity != int64(l.Provenance.Quantity) || l.Amount != int64(want) {
				t.Fatalf("line %d: %d of %d does not rate again (%d)", i, l.Amount, l.Quantity, want)
			}
		}
		if l.Adjusts == nil && (l.From < inv.PeriodStart || l.To > inv.PeriodEnd || l.From >= l.To) {
			t.Fatalf("line %d: window [%d, %d) outside the period [%d, %d)", i, l.From, l.To, inv.PeriodStart, inv.PeriodEnd)
		}
		if l.Amount < 0 && l.Adjusts == nil {
			t.Fatalf("line %d: a negative charge %d that adjusts nothing", i, l.Amount)
		}
	}
	if subtotal != inv.Subtotal {
		t.Fatalf("lines sum to %d, subtotal %d", subtotal, inv.Subtotal)
	}
	var taxSum, exclusive int64
	for _, tl := range inv.Taxes {
		if tl.Taxable != taxable[tl.ID] {
			t.Fatalf("tax %s: taxable %d, its lines sum to %d", tl.ID, tl.Taxable, taxable[tl.ID])
		}
		rate, err := ParseRate(pricing.TaxRate{ID: tl.ID, Percentage: tl.Percentage, Inclusive: tl.Inclusive})
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := Tax(tl.Taxable, rate, inv.Currency); want != tl.Amount {
			t.Fatalf("tax %s: %d, want %d", tl.ID, tl.Amount, want)
		}
		delete(taxable, tl.ID)
		taxSum += tl.Amount
		if !tl.Inclusive {
			exclusive += tl.Amount
		}
	}
	if len(taxable) != 0 {
		t.Fatalf("lines carry tax rates without a tax line: %v", taxable)
	}
	if taxSum != inv.TaxAmount {
		t.Fatalf("taxes sum to %d, tax_amount %d", taxSum, inv.TaxAmount)
	}
	if inv.Total != inv.Subtotal+exclusive {
		t.Fatalf("total %d, want subtotal %d + exclusive taxes %d", inv.Total, inv.Subtotal, exclusive)
	}
	if (len(inv.Taxes) == 1) != (inv.TaxRateID != "") || (len(inv.Taxes) == 1 && inv.TaxRateID != inv.Taxes[0].ID) {
		t.Fatalf("tax_rate_id %q with %d tax lines", inv.TaxRateID, len(inv.Taxes))
	}
	if (len(inv.Lines) == 0) != (inv.Currency == "") || (inv.Currency != "" && inv.Rounding != RoundingOf(inv.Currency).String()) {
		t.Fatalf("currency %q rounding %q with %d lines", inv.Currency, inv.Rounding, len(inv.Lines))
	}
}

// checkTelescopes: for every metered line of the finalized invoices, its
// amount plus every adjustment of it, on later invoices and on last, is
// what its window rates at with the usage recorded now.
func checkTelescopes(t *testing.T, w fuzzWorld, prior []Invoice, last Invoice) {
	t.Helper()
	all := append(slices.Clone(prior), last)
	for _, inv := range prior {
		for i, l := range inv.Lines {
			if l.Adjusts != nil || !l.Type.Metered() {
				continue
			}
			amount, q := l.Amount, l.Quantity
			for _, other := range all {
				for _, a := range other.Lines {
					if a.Adjusts != nil && a.Adjusts.InvoiceID == inv.ID && a.Adjusts.Line == i {
						amount += a.Amount
						q += a.Quantity
					}
				}
			}
			nowQ, _ := Aggregate(w.entries(l.Provenance.Unit.MeteringUnitID), l.window())
			now, _ := Charge(l.Provenance.Unit.Unit(), nowQ)
			if q != int64(nowQ) || amount != int64(now) {
				t.Fatalf("%s line %d: billed %d for %d in all, but its window now has %d, rating %d", inv.ID, i, amount, q, nowQ, now)
			}
		}
	}
}

// cloneInput is a deep copy: after Build, in must still equal it.
func cloneInput(in Input) Input {
	out := in
	out.Segments = slices.Clone(in.Segments)
	if in.Plans != nil {
		out.Plans = make(map[string]pricing.Plan, len(in.Plans))
		for k, p := range in.Plans {
			out.Plans[k] = clonePlan(p)
		}
	}
	out.Meters = maps.Clone(in.Meters)
	out.TaxRates = maps.Clone(in.TaxRates)
	if in.Prior != nil {
		out.Prior = make([]Invoice, len(in.Prior))
		for i, inv := range in.Prior {
			out.Prior[i] = cloneInvoice(inv)
		}
	}
	out.Usage = maps.Clone(in.Usage)
	return out
}

func clonePlan(p pricing.Plan) pricing.Plan {
	p.Menus = slices.Clone(p.Menus)
	for i := range p.Menus {
		p.Menus[i].Units = slices.Clone(p.Menus[i].Units)
		for j := range p.Menus[i].Units {
			p.Menus[i].Units[j].Tiers = slices.Clone(p.Menus[i].Units[j].Tiers)
		}
	}
	return p
}

func cloneInvoice(inv Invoice) Invoice {
	inv.Lines = slices.Clone(inv.Lines)
	for i := range inv.Lines {
		l := &inv.Lines[i]
		if l.Adjusts != nil {
			a := *l.Adjusts
			l.Adjusts = &a
		}
		l.Provenance.Unit.Tiers = slices.Clone(l.Provenance.Unit.Tiers)
		if l.Provenance.Previous != nil {
			p := *l.Provenance.Previous
			l.Provenance.Previous = &p
		}
		if l.Provenance.Tax != nil {
			tx := *l.Provenance.Tax
			l.Provenance.Tax = &tx
		}
	}
	inv.Taxes = slices.Clone(inv.Taxes)
	return inv
}
