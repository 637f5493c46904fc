package app

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/pricing"
)

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		currency pricing.Currency
		want     string
	}{
		{0, pricing.CurrencyJPY, "¥0"},
		{5, pricing.CurrencyJPY, "¥5"},
		{999, pricing.CurrencyJPY, "¥999"},
		{1000, pricing.CurrencyJPY, "¥1,000"},
		{1234, pricing.CurrencyJPY, "¥1,234"},
		{1234567, pricing.CurrencyJPY, "¥1,234,567"},
		{-50, pricing.CurrencyJPY, "-¥50"},
		{-1234, pricing.CurrencyJPY, "-¥1,234"},
		{math.MaxInt64, pricing.CurrencyJPY, "¥9,223,372,036,854,775,807"},
		{math.MinInt64 + 1, pricing.CurrencyJPY, "-¥9,223,372,036,854,775,807"},
		{math.MinInt64, pricing.CurrencyJPY, "-¥9,223,372,036,854,775,808"},

		{0, pricing.CurrencyUSD, "$0.00"},
		{5, pricing.CurrencyUSD, "$0.05"},
		{10, pricing.CurrencyUSD, "$0.10"},
		{100, pricing.CurrencyUSD, "$1.00"},
		{1234, pricing.CurrencyUSD, "$12.34"},
		{123456, pricing.CurrencyUSD, "$1,234.56"},
		{1234567, pricing.CurrencyUSD, "$12,345.67"},
		{-5, pricing.CurrencyUSD, "-$0.05"},
		{-123456, pricing.CurrencyUSD, "-$1,234.56"},
		{math.MaxInt64, pricing.CurrencyUSD, "$92,233,720,368,547,758.07"},
		{math.MinInt64 + 1, pricing.CurrencyUSD, "-$92,233,720,368,547,758.07"},
		{math.MinInt64, pricing.CurrencyUSD, "-$92,233,720,368,547,758.08"},

		{0, "", "0"}, // an empty preview has no currency
		{1234567, "", "1,234,567"},
		{-1234, "EUR", "-1,234 EUR"}, // unknown: minor units and the code
	} {
		if got := formatAmount(tc.amount, tc.currency); got != tc.want {
			t.Errorf("formatAmount(%d, %q) = %q, want %q", tc.amount, tc.currency, got, tc.want)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s: %v", name, err)
	}
	return loc
}

// The period is shown in its own calendar: a Tokyo month starts on the
// 1st although its start is the 30th in UTC, and the zone's offsets are
// read back from where its midnights fall.
func TestInvoicePeriodCalendar(t *testing.T) {
	tokyo, newYork := mustZone(t, "Asia/Tokyo"), mustZone(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month) int64 { return time.Date(y, m, 1, 0, 0, 0, 0, loc).Unix() }
	for _, tc := range []struct {
		inv       billing.Invoice
		want      string
		finalized string
	}{
		{billing.Invoice{Period: "2026-10", PeriodStart: at(tokyo, 2026, 10), PeriodEnd: at(tokyo, 2026, 11),
			FinalizedAt: time.Date(2026, 11, 1, 0, 30, 0, 0, tokyo).Unix()}, "2026-10-01 – 2026-10-31, UTC+09:00", "2026-11-01"},
		{billing.Invoice{Period: "2026-02", PeriodStart: at(time.UTC, 2026, 2), PeriodEnd: at(time.UTC, 2026, 3),
			FinalizedAt: at(time.UTC, 2026, 3)}, "2026-02-01 – 2026-02-28, UTC", "2026-03-01"},
		{billing.Invoice{Period: "2026-03", PeriodStart: at(newYork, 2026, 3), PeriodEnd: at(newYork, 2026, 4),
			FinalizedAt: time.Date(2026, 4, 1, 0, 30, 0, 0, newYork).Unix()}, "2026-03-01 – 2026-03-31, UTC-05:00 to UTC-04:00", "2026-04-01"},
		{billing.Invoice{Period: "2026", PeriodStart: at(tokyo, 2026, 1), PeriodEnd: time.Date(2027, 1, 1, 0, 0, 0, 0, tokyo).Unix(),
			FinalizedAt: time.Date(2027, 1, 1, 1, 0, 0, 0, tokyo).Unix()}, "2026-01-01 – 2026-12-31, UTC+09:00", "2027-01-01"},
	} {
		cal := calendarOf(tc.inv)
		if got := cal.String(); got != tc.want {
			t.Errorf("%s: calendar = %q, want %q", tc.inv.Period, got, tc.want)
		}
		if got := cal.date(tc.inv.FinalizedAt); got != tc.finalized {
			t.Errorf("%s: finalized date = %q, want %q", tc.inv.Period, got, tc.finalized)
		}
	}
}

// The tables print every amount with the formatter, each tax line, and
// the adjustment's reference.
func TestPrintInvoice(t *testing.T) {
	inv := sampleInvoice()
	var b bytes.Buffer
	if err := printInvoice(&b, wireInvoice{Invoice: inv, Status: "finalized"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"INVOICE    #7", "TENANT     acme", "PERIOD     2026-10 (2026-10-01 – 2026-10-31, UTC+09:00)",
		"CURRENCY   JPY", "STATUS     finalized", "FINALIZED  2026-11-01",
		"UNIT", "Calls", "usage", "calls", "1234", "¥3,702", "-¥60", "adjusts 2026-09 #6",
		"SUBTOTAL", "¥5,092", "TAX       消費税  10%  exclusive  on ¥5,092  ¥509", "TOTAL", "¥5,601"} {
		if !strings.Contains(out, want) {
			t.Errorf("printInvoice lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := printInvoiceList(&b, []wireInvoice{{Invoice: inv, Status: "finalized"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NUMBER  INVOICE") || strings.Join(strings.Fields(lines[1]), " ") != "7 inv-7 acme 2026-10 JPY ¥5,601 2026-11-01" {
		t.Errorf("printInvoiceList =\n%s", b.String())
	}
}

// sampleInvoice is a finalized Tokyo invoice: calls, seats on graduated
// tiers, a credit adjusting an earlier invoice, and a 10 % exclusive tax.
func sampleInvoice() billing.Invoice {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	start, end := time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo).Unix(), time.Date(2026, 11, 1, 0, 0, 0, 0, tokyo).Unix()
	tax := billing.TaxSnap{ID: "tax-1", Name: "jct", DisplayName: "消費税", Percentage: "10"}
	calls := billing.UnitDef{ID: "u-calls", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyJPY, UnitAmount: 3,
		MeteringUnitID: "m-calls", MeteringUnitName: "calls", AggregateUsage: pricing.AggregateSum}
	seats := billing.UnitDef{ID: "u-seats", Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyJPY,
		MeteringUnitID: "m-seats", MeteringUnitName: "seats", AggregateUsage: pricing.AggregateMax,
		Tiers: []billing.TierDef{{UpTo: 10, UnitAmount: 100}, {UpTo: 20, UnitAmount: 90}, {Inf: true, UnitAmount: 70}}}
	prev := uint64(20)
	return billing.Invoice{ID: "inv-7", Number: 7, TenantID: "acme", Period: "2026-10", PeriodStart: start, PeriodEnd: end,
		Currency: pricing.CurrencyJPY, Subtotal: 5092, TaxAmount: 509, Total: 5601, TaxRateID: "tax-1",
		Taxes: []billing.TaxLine{{TaxSnap: tax, Taxable: 5092, Amount: 509}}, Rounding: "down", Engine: billing.Engine,
		FinalizedAt: time.Date(2026, 11, 1, 0, 30, 0, 0, tokyo).Unix(),
		Lines: []billing.Line{
			{PricingUnitID: "u-calls", Name: "calls_fee", DisplayName: "Calls", Type: pricing.UnitTypeUsage, MeteringUnitName: "calls",
				PlanID: "p", Quantity: 1234, Amount: 3702, TaxRateID: "tax-1", From: start, To: end,
				Provenance: billing.Provenance{UnitHash: calls.Hash(), Unit: calls, Quantity: 1234, Tax: &tax}},
			{PricingUnitID: "u-seats", Name: "seats_fee", DisplayName: "Seats", Type: pricing.UnitTypeTieredUsage, MeteringUnitName: "seats",
				PlanID: "p", Quantity: 15, Amount: 1450, TaxRateID: "tax-1", From: start, To: end,
				Provenance: billing.Provenance{UnitHash: seats.Hash(), Unit: seats, Quantity: 15, Tax: &tax}},
			{PricingUnitID: "u-calls", Name: "calls_fee", DisplayName: "Calls", Type: pricing.UnitTypeUsage, MeteringUnitName: "calls",
				PlanID: "p", Quantity: -20, Amount: -60, TaxRateID: "tax-1", From: start - 30*86400, To: start,
				Adjusts:    &billing.Adjusted{InvoiceID: "inv-6", Number: 6, Period: "2026-09", Line: 0},
				Provenance: billing.Provenance{UnitHash: calls.Hash(), Unit: calls, Quantity: 0, Previous: &prev, Tax: &tax}},
		}}
}
