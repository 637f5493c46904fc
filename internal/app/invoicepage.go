package app

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/pricing"
)

// invoicePageSource is the printable invoice page: one self-contained
// HTML document (inline CSS, no scripts, nothing fetched).
//
//go:embed invoice.html.tmpl
var invoicePageSource string

var invoicePage = template.Must(template.New("invoice.html.tmpl").Parse(invoicePageSource))

// invoicePageData is what the page shows, every value already written as
// people read it (the template only places and escapes text).
type invoicePageData struct {
	Title, Status    string
	Issuer, Customer string
	Number, Period   string
	PeriodDays       string
	Finalized        string
	Currency         string
	Lines            []invoicePageLine
	Subtotal, Total  string
	Taxes            []invoicePageTax
	Engine, Rounding string
}

// invoicePageLine is a line of the charges table and of the provenance
// table.
type invoicePageLine struct {
	Index                      int
	Unit, Type, Meter, Adjusts string
	Quantity, Amount           string
	Hash, Definition, From, To string
	Aggregated, Previous       string // Previous: on an adjustment, the quantity billed before
	Aggregation                string
}

// invoicePageTax is the tax of one rate.
type invoicePageTax struct{ Name, Rate, Mode, Taxable, Amount string }

// renderInvoicePage writes inv as a printable HTML page issued by the
// SaaS issuer to the tenant: a person can send it to the customer, and
// its provenance section lets an auditor rate every line again.
func renderInvoicePage(w io.Writer, issuer string, inv billing.Invoice) error {
	return invoicePage.Execute(w, invoicePageOf(issuer, inv))
}

// invoicePageOf writes every value of the page.
func invoicePageOf(issuer string, inv billing.Invoice) invoicePageData {
	cal := calendarOf(inv)
	d := invoicePageData{Issuer: issuer, Customer: inv.TenantID, Period: inv.Period, PeriodDays: cal.String(),
		Currency: string(inv.Currency), Subtotal: formatAmount(inv.Subtotal, inv.Currency), Total: formatAmount(inv.Total, inv.Currency),
		Engine: inv.Engine, Rounding: inv.Rounding}
	if inv.Finalized() {
		d.Title, d.Number = "Invoice "+invoiceTitle(inv), strconv.FormatInt(inv.Number, 10)
		d.Status, d.Finalized = "Finalized invoice "+inv.ID, cal.date(inv.FinalizedAt)
	} else {
		d.Title, d.Number = "Invoice preview", "none (a preview)"
		d.Status, d.Finalized = "Preview: the period's charges so far; not an invoice", "not finalized"
	}
	if d.Currency == "" {
		d.Currency = "none (nothing charged)"
	}
	for i, l := range inv.Lines {
		d.Lines = append(d.Lines, invoicePageLineOf(i+1, l, inv.Currency))
	}
	for _, tx := range inv.Taxes {
		d.Taxes = append(d.Taxes, invoicePageTax{Name: tx.DisplayName, Rate: tx.Percentage + "%", Mode: taxMode(tx.Inclusive),
			Taxable: formatAmount(tx.Taxable, inv.Currency), Amount: formatAmount(tx.Amount, inv.Currency)})
	}
	return d
}

// invoicePageLineOf writes line number i of the invoice.
func invoicePageLineOf(i int, l billing.Line, c pricing.Currency) invoicePageLine {
	p := l.Provenance
	pl := invoicePageLine{Index: i, Unit: unitLabel(l), Type: string(l.Type), Meter: l.MeteringUnitName, Adjusts: adjustsNote(l),
		Quantity: strconv.FormatInt(l.Quantity, 10), Amount: formatAmount(l.Amount, c),
		Hash: p.UnitHash, Definition: unitDefText(p.Unit), From: utcISO(l.From), To: utcISO(l.To),
		Aggregated: strconv.FormatUint(p.Quantity, 10), Aggregation: aggregationText(p)}
	if p.Previous != nil {
		pl.Previous = strconv.FormatUint(*p.Previous, 10)
	}
	return pl
}

// utcISO writes a Unix time as an ISO 8601 UTC time.
func utcISO(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }

// aggregationText says how a line's quantity came about: the meter's
// aggregation, or for a fixed fee the share of the period it covers.
func aggregationText(p billing.Provenance) string {
	if p.Unit.Type == pricing.UnitTypeFixed {
		if p.PeriodSeconds == 0 {
			return "fixed fee"
		}
		return fmt.Sprintf("fixed fee, %d of %d seconds", p.CoveredSeconds, p.PeriodSeconds)
	}
	if p.Unit.AggregateUsage == "" {
		return string(pricing.AggregateSum)
	}
	return string(p.Unit.AggregateUsage)
}

// unitDefText writes a unit's rating definition in one line, e.g.
// "usage: ¥3 per unit" or "tiered_usage: up to 10 at ¥100; above at ¥70".
func unitDefText(d billing.UnitDef) string {
	switch d.Type {
	case pricing.UnitTypeFixed:
		return fmt.Sprintf("fixed: %s per %s", formatAmount(int64(d.UnitAmount), d.Currency), d.RecurringInterval)
	case pricing.UnitTypeUsage:
		return fmt.Sprintf("usage: %s per unit", formatAmount(int64(d.UnitAmount), d.Currency))
	}
	tiers := make([]string, len(d.Tiers))
	for i, t := range d.Tiers {
		s := "up to " + strconv.FormatUint(t.UpTo, 10)
		if t.Inf {
			s = "above"
		}
		s += " at " + formatAmount(int64(t.UnitAmount), d.Currency)
		if t.FlatAmount > 0 {
			s += " + " + formatAmount(int64(t.FlatAmount), d.Currency) + " flat"
		}
		tiers[i] = s
	}
	return string(d.Type) + ": " + strings.Join(tiers, "; ")
}
