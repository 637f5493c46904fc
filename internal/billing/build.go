package billing

import (
	"sort"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// Input is everything one invoice is computed from.
type Input struct {
	TenantID string
	Period   Period
	// Segments are the period's parts by plan (Segments' result); those
	// whose plan bills at the other cadence (yearly in a month, monthly
	// in a year) belong to the other period's invoice and are skipped.
	Segments []Segment
	Plans    map[string]pricing.Plan    // by id: every plan the segments name
	Meters   map[string]pricing.Meter   // by id: the meters of those plans' units
	TaxRates map[string]pricing.TaxRate // by id: every tax rate the segments name
	// Prior are the tenant's finalized invoices of other periods, any order.
	Prior []Invoice
	// Usage holds the quantity of every window Windows(in) lists.
	Usage map[Window]uint64
}

// item is one unit to rate over one segment.
type item struct {
	seg  Segment
	unit pricing.Unit
	agg  pricing.AggregateUsage
}

// items lists the units each segment rates, in plan order: menus in the
// plan's order, units in each menu's order, a unit that several menus
// hold rated once. It reports whether a segment of the other cadence was
// skipped.
func items(in Input) (out []item, other bool, err error) {
	for _, seg := range in.Segments {
		p, ok := in.Plans[seg.PlanID]
		if !ok {
			return nil, false, errs.Conflict("plan %q of the tenant's plan history no longer exists", seg.PlanID).WithType("plan_missing")
		}
		if p.Yearly() != in.Period.Yearly {
			other = true
			continue
		}
		seen := map[string]bool{}
		for _, m := range p.Menus {
			for _, u := range m.Units {
				if seen[u.ID] {
					continue
				}
				seen[u.ID] = true
				it := item{seg: seg, unit: u}
				if u.Type.Metered() {
					it.agg = aggregation(u, in.Meters)
				}
				out = append(out, it)
			}
		}
	}
	return out, other, nil
}

func (it item) window() Window {
	return Window{MeterID: it.unit.MeterID, From: it.seg.From.Unix(), To: it.seg.To.Unix(), Aggregate: it.agg}
}

func (l Line) window() Window {
	d := l.Provenance.Unit
	return Window{MeterID: d.MeteringUnitID, From: l.From, To: l.To, Aggregate: d.AggregateUsage}
}

// billed is a metered line of an earlier invoice with the quantity billed
// for its window so far (its own, or its latest adjustment's).
type billed struct {
	inv  Invoice
	idx  int
	line Line
	q    uint64
}

// ledger returns the metered lines of the invoices of periods that ended
// by the start of in's period, each with what was billed for it, oldest
// invoice first. Adjustments on any invoice, earlier or later, count.
func ledger(in Input) []*billed {
	prior := make([]Invoice, len(in.Prior))
	copy(prior, in.Prior)
	sort.SliceStable(prior, func(i, j int) bool { return prior[i].Number < prior[j].Number })
	type ref struct {
		id  string
		idx int
	}
	byRef := map[ref]*billed{}
	var out []*billed
	for _, inv := range prior {
		if inv.Period == in.Period.Key || inv.PeriodEnd > in.Period.Start.Unix() {
			continue
		}
		for i, l := range inv.Lines {
			if l.Adjusts == nil && l.Type.Metered() {
				b := &billed{inv: inv, idx: i, line: l, q: l.Provenance.Quantity}
				byRef[ref{inv.ID, i}] = b
				out = append(out, b)
			}
		}
	}
	for _, inv := range prior {
		if inv.Period == in.Period.Key {
			continue
		}
		for _, l := range inv.Lines {
			if a := l.Adjusts; a != nil {
				if b := byRef[ref{a.InvoiceID, a.Line}]; b != nil {
					b.q = l.Provenance.Quantity
				}
			}
		}
	}
	return out
}

// Windows lists the usage windows Build needs quantities for: one per
// metered unit of each segment, and one per metered line of the earlier
// invoices (to find late usage).
func Windows(in Input) ([]Window, error) {
	its, _, err := items(in)
	if err != nil {
		return nil, err
	}
	seen := map[Window]bool{}
	var out []Window
	add := func(w Window) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, it := range its {
		if it.unit.Type.Metered() {
			add(it.window())
		}
	}
	for _, b := range ledger(in) {
		add(b.line.window())
	}
	return out, nil
}

// Build computes the invoice. Lines come segment by segment in plan order,
// then the adjustments of earlier invoices' lines, oldest first. It fails
// when a plan or tax rate is missing, when the lines mix currencies, when
// an amount exceeds MaxAmount, and when nothing of the period bills at its
// cadence but some of it does at the other one (the tenant needs the
// other period's invoice).
func Build(in Input) (Invoice, error) {
	inv := Invoice{TenantID: in.TenantID, Period: in.Period.Key, PeriodStart: in.Period.Start.Unix(), PeriodEnd: in.Period.End.Unix(),
		TimeZone: in.Period.Start.Location().String(), Lines: []Line{}, Taxes: []TaxLine{}, Engine: Engine}
	its, other, err := items(in)
	if err != nil {
		return inv, err
	}
	for _, it := range its {
		l, err := rateItem(in, it)
		if err != nil {
			return inv, err
		}
		inv.Lines = append(inv.Lines, l)
	}
	for _, b := range ledger(in) {
		l, changed, err := adjust(in, b)
		if err != nil {
			return inv, err
		}
		if changed {
			inv.Lines = append(inv.Lines, l)
		}
	}
	if len(inv.Lines) == 0 && other {
		cadence, want := "monthly", "YYYY-MM"
		if !in.Period.Yearly {
			cadence, want = "yearly", "YYYY"
		}
		return inv, errs.Invalid("period: tenant %q is on a %s plan in %s: ask for its invoice with period=%s", in.TenantID, cadence, in.Period.Key, want).WithType("wrong_period")
	}
	return inv, total(&inv)
}

// rateItem rates one unit over one segment.
func rateItem(in Input, it item) (Line, error) {
	u := it.unit
	def := defOf(u, it.agg)
	l := Line{PricingUnitID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Type: u.Type, PlanID: it.seg.PlanID,
		From: it.seg.From.Unix(), To: it.seg.To.Unix(), Provenance: Provenance{UnitHash: def.Hash(), Unit: def}}
	if id := it.seg.TaxRateID; id != "" {
		r, ok := in.TaxRates[id]
		if !ok {
			return l, errs.Conflict("tax rate %q of the tenant's plan history no longer exists", id).WithType("tax_rate_missing")
		}
		l.TaxRateID = id
		l.Provenance.Tax = &TaxSnap{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Percentage: r.Percentage, Inclusive: r.Inclusive}
	}
	what := "unit " + u.Name
	if u.Type == pricing.UnitTypeFixed {
		covered, period := l.To-l.From, in.Period.Seconds()
		amount, ok := Prorate(u, covered, period, in.Period.Months())
		if !ok {
			return l, errTooLarge(what)
		}
		l.Quantity, l.Amount = 1, amount
		l.Provenance.CoveredSeconds, l.Provenance.PeriodSeconds, l.Provenance.PeriodMonths = covered, period, in.Period.Months()
		return l, nil
	}
	l.MeteringUnitName = u.MeterName
	q, ok := in.Usage[it.window()]
	if !ok {
		return l, errs.E(errs.KindInternal, "billing: no usage was read for unit %q", u.ID)
	}
	amount, ok := Charge(u, q)
	if !ok || q > MaxAmount {
		return l, errTooLarge(what)
	}
	l.Quantity, l.Amount, l.Provenance.Quantity = int64(q), int64(amount), q
	return l, nil
}

// adjust returns the adjustment of an earlier line whose window's usage
// changed since it was billed: the change in quantity, and the rated
// amount of the quantity now less that of the quantity billed, by the
// line's own definition and tax rate.
func adjust(in Input, b *billed) (Line, bool, error) {
	w := b.line.window()
	now, ok := in.Usage[w]
	if !ok {
		return Line{}, false, errs.E(errs.KindInternal, "billing: no usage was read for invoice %s line %d", b.inv.ID, b.idx)
	}
	if now == b.q {
		return Line{}, false, nil
	}
	u := b.line.Provenance.Unit.Unit()
	a1, ok1 := Charge(u, now)
	a0, ok0 := Charge(u, b.q)
	if !ok1 || !ok0 || now > MaxAmount {
		return Line{}, false, errTooLarge("adjustment of unit " + b.line.Name)
	}
	l := b.line
	prev := b.q
	l.Quantity = int64(now) - int64(b.q)
	l.Amount = int64(a1) - int64(a0)
	l.Adjusts = &Adjusted{InvoiceID: b.inv.ID, Number: b.inv.Number, Period: b.inv.Period, Line: b.idx}
	l.Provenance.Quantity, l.Provenance.Previous = now, &prev
	return l, true, nil
}

// total fills the currency, the taxes (one per tax rate, on the sum of its
// lines) and the totals: subtotal = Σ amounts, total = subtotal + the
// exclusive taxes, tax_amount = every tax, inclusive ones too.
func total(inv *Invoice) error {
	currencies := map[pricing.Currency][]string{}
	var order []pricing.Currency
	for _, l := range inv.Lines {
		c := l.Provenance.Unit.Currency
		if _, ok := currencies[c]; !ok {
			order = append(order, c)
		}
		currencies[c] = append(currencies[c], l.Name)
	}
	if len(order) > 1 {
		parts := make([]string, len(order))
		for i, c := range order {
			parts[i] = string(c) + " (" + strings.Join(dedupe(currencies[c]), ", ") + ")"
		}
		return errs.Conflict("an invoice has one currency, but this one would mix %s: price the tenant's plans in one currency", strings.Join(parts, " and ")).WithType("mixed_currencies")
	}
	if len(order) == 1 {
		inv.Currency = order[0]
		inv.Rounding = RoundingOf(inv.Currency).String()
	}
	idx := map[string]int{}
	var ok bool
	for _, l := range inv.Lines {
		if inv.Subtotal, ok = addSigned(inv.Subtotal, l.Amount); !ok {
			return errTooLarge("subtotal")
		}
		t := l.Provenance.Tax
		if t == nil {
			continue
		}
		i, seen := idx[t.ID]
		if !seen {
			i = len(inv.Taxes)
			idx[t.ID] = i
			inv.Taxes = append(inv.Taxes, TaxLine{TaxSnap: *t})
		}
		if inv.Taxes[i].Taxable, ok = addSigned(inv.Taxes[i].Taxable, l.Amount); !ok {
			return errTooLarge("taxable amount")
		}
	}
	inv.Total = inv.Subtotal
	for i := range inv.Taxes {
		t := &inv.Taxes[i]
		rate, err := ParseRate(pricing.TaxRate{ID: t.ID, Percentage: t.Percentage, Inclusive: t.Inclusive})
		if err != nil {
			return err
		}
		if t.Amount, ok = Tax(t.Taxable, rate, inv.Currency); !ok {
			return errTooLarge("tax")
		}
		if inv.TaxAmount, ok = addSigned(inv.TaxAmount, t.Amount); !ok {
			return errTooLarge("tax amount")
		}
		if !t.Inclusive {
			if inv.Total, ok = addSigned(inv.Total, t.Amount); !ok {
				return errTooLarge("total")
			}
		}
	}
	if len(inv.Taxes) == 1 {
		inv.TaxRateID = inv.Taxes[0].ID
	}
	return nil
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
