package app

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/pricing"
)

// wireInvoice is an invoice as /v1/billing answers it: the invoice
// document and its status ("preview" or "finalized").
type wireInvoice struct {
	billing.Invoice
	Status string `json:"status"`
}

// wireInvoices is the answer of GET /v1/billing/invoices.
type wireInvoices struct {
	Invoices   []wireInvoice `json:"invoices"`
	NextBefore int64         `json:"next_before,omitempty"`
}

// currencySymbol and currencyDecimals describe how people write the
// amounts of the currencies the API knows.
var (
	currencySymbol   = map[pricing.Currency]string{pricing.CurrencyJPY: "¥", pricing.CurrencyUSD: "$"}
	currencyDecimals = map[pricing.Currency]int{pricing.CurrencyJPY: 0, pricing.CurrencyUSD: 2}
)

// formatAmount writes an amount given in the currency's smallest unit as
// people read it: ¥1,234 (yen have no minor unit), $12.34 (cents), -¥50
// for a credit. It uses integer arithmetic only, so every int64 prints
// exactly. An amount without a currency (an empty preview) is the bare
// grouped number; one in a currency it does not know is the grouped
// number of minor units followed by the code.
func formatAmount(amount int64, c pricing.Currency) string {
	sign := ""
	mag := uint64(amount)
	if amount < 0 {
		sign, mag = "-", uint64(-(amount+1))+1 // |amount|, even for math.MinInt64
	}
	sym, known := currencySymbol[c]
	if !known {
		s := sign + groupDigits(mag)
		if c != "" {
			s += " " + string(c)
		}
		return s
	}
	dec := currencyDecimals[c]
	if dec == 0 {
		return sign + sym + groupDigits(mag)
	}
	unit := uint64(1)
	for range dec {
		unit *= 10
	}
	return fmt.Sprintf("%s%s%s.%0*d", sign, sym, groupDigits(mag/unit), dec, mag%unit)
}

// groupDigits writes n with a comma between each group of three digits.
func groupDigits(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// periodCalendar is an invoice's period as the SaaS's calendar has it:
// its first and last day, and the UTC offsets (in seconds) of the SaaS's
// time zone at the period's start and end. The invoice does not name the
// zone; the offsets are read from where the period's midnights fall.
type periodCalendar struct {
	first, last        time.Time // dates, at 00:00 UTC
	startOff, endOff   int
	fromStamps, broken bool
}

// calendarOf reads the period of inv: YYYY-MM or YYYY starts at 00:00 on
// its first day in the SaaS's time zone, so the difference between that
// date's UTC midnight and period_start is the zone's offset. A period it
// cannot read falls back to the UTC dates of the timestamps.
func calendarOf(inv billing.Invoice) periodCalendar {
	first, next, ok := periodBounds(inv.Period)
	if !ok {
		start, end := time.Unix(inv.PeriodStart, 0).UTC(), time.Unix(inv.PeriodEnd, 0).UTC()
		return periodCalendar{first: start, last: end.Add(-time.Nanosecond), fromStamps: true}
	}
	cal := periodCalendar{first: first, last: next.AddDate(0, 0, -1),
		startOff: int(first.Unix() - inv.PeriodStart), endOff: int(next.Unix() - inv.PeriodEnd)}
	const maxOff = 18 * 3600 // no zone is further from UTC
	cal.broken = abs(cal.startOff) > maxOff || abs(cal.endOff) > maxOff
	return cal
}

// periodBounds returns the first day of the period key and of the one
// after it, at 00:00 UTC.
func periodBounds(key string) (first, next time.Time, ok bool) {
	if t, err := time.Parse("2006-01", key); err == nil {
		return t, t.AddDate(0, 1, 0), true
	}
	if t, err := time.Parse("2006", key); err == nil && len(key) == 4 {
		return t, t.AddDate(1, 0, 0), true
	}
	return time.Time{}, time.Time{}, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// String is the period's days and zone, e.g.
// "2026-10-01 – 2026-10-31, UTC+09:00".
func (p periodCalendar) String() string {
	days := p.first.Format(time.DateOnly) + " – " + p.last.Format(time.DateOnly)
	switch {
	case p.fromStamps:
		return days + ", UTC"
	case p.broken:
		return days
	case p.startOff != p.endOff: // the clocks changed inside the period
		return days + ", " + utcOffset(p.startOff) + " to " + utcOffset(p.endOff)
	}
	return days + ", " + utcOffset(p.startOff)
}

// date is the SaaS's calendar date of a Unix time after the period (a
// finalization), read with the zone's offset at the period's end.
func (p periodCalendar) date(unix int64) string {
	return time.Unix(unix, 0).In(time.FixedZone("", p.endOff)).Format(time.DateOnly)
}

// utcOffset writes an offset in seconds as "UTC", "UTC+09:00" or "UTC-04:30".
func utcOffset(sec int) string {
	if sec == 0 {
		return "UTC"
	}
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, sec/3600, sec%3600/60)
}

// invoiceTitle is "#12" for a finalized invoice and "preview" for a preview.
func invoiceTitle(inv billing.Invoice) string {
	if !inv.Finalized() {
		return "preview"
	}
	return "#" + strconv.FormatInt(inv.Number, 10)
}

// unitLabel is the name people read for a line's unit.
func unitLabel(l billing.Line) string {
	if l.DisplayName != "" {
		return l.DisplayName
	}
	return l.Name
}

// adjustsNote is "adjusts 2026-09 #3" on an adjustment line, else "".
func adjustsNote(l billing.Line) string {
	if l.Adjusts == nil {
		return ""
	}
	return fmt.Sprintf("adjusts %s #%d", l.Adjusts.Period, l.Adjusts.Number)
}

// taxMode says whether a tax rate is inside the price or added to it.
func taxMode(inclusive bool) string {
	if inclusive {
		return "inclusive"
	}
	return "exclusive"
}

// printInvoice prints an invoice (or a preview) for people: a header
// block, the lines, then the subtotal, each tax and the total.
func printInvoice(w io.Writer, inv wireInvoice) error {
	if err := printInvoiceHeader(w, inv); err != nil {
		return err
	}
	if err := printInvoiceLines(w, inv.Invoice); err != nil {
		return err
	}
	return printInvoiceTotals(w, inv.Invoice)
}

// printInvoiceHeader prints what the invoice is, whose, and for when.
func printInvoiceHeader(w io.Writer, inv wireInvoice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cal := calendarOf(inv.Invoice)
	fmt.Fprintf(tw, "INVOICE\t%s\n", invoiceTitle(inv.Invoice))
	if inv.ID != "" {
		fmt.Fprintf(tw, "ID\t%s\n", inv.ID)
	}
	fmt.Fprintf(tw, "TENANT\t%s\n", inv.TenantID)
	fmt.Fprintf(tw, "PERIOD\t%s (%s)\n", inv.Period, cal)
	currency := string(inv.Currency)
	if currency == "" {
		currency = "none (nothing charged)"
	}
	fmt.Fprintf(tw, "CURRENCY\t%s\n", currency)
	fmt.Fprintf(tw, "STATUS\t%s\n", inv.Status)
	if inv.FinalizedAt != 0 {
		fmt.Fprintf(tw, "FINALIZED\t%s\n", cal.date(inv.FinalizedAt))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// printInvoiceLines prints one row per line of the invoice.
func printInvoiceLines(w io.Writer, inv billing.Invoice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT\tTYPE\tMETER\tQUANTITY\tAMOUNT\tNOTE")
	for _, l := range inv.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", unitLabel(l), l.Type, l.MeteringUnitName,
			strconv.FormatInt(l.Quantity, 10), formatAmount(l.Amount, inv.Currency), adjustsNote(l))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// printInvoiceTotals prints the subtotal, each tax rate's tax on its
// taxable amount, and the total.
func printInvoiceTotals(w io.Writer, inv billing.Invoice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SUBTOTAL\t\t\t\t\t%s\n", formatAmount(inv.Subtotal, inv.Currency))
	for _, tx := range inv.Taxes {
		fmt.Fprintf(tw, "TAX\t%s\t%s%%\t%s\ton %s\t%s\n", tx.DisplayName, tx.Percentage, taxMode(tx.Inclusive),
			formatAmount(tx.Taxable, inv.Currency), formatAmount(tx.Amount, inv.Currency))
	}
	fmt.Fprintf(tw, "TOTAL\t\t\t\t\t%s\n", formatAmount(inv.Total, inv.Currency))
	return tw.Flush()
}

// printInvoiceList prints one row per finalized invoice.
func printInvoiceList(w io.Writer, invs []wireInvoice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tINVOICE\tTENANT\tPERIOD\tCURRENCY\tTOTAL\tFINALIZED")
	for _, inv := range invs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", inv.Number, inv.ID, inv.TenantID, inv.Period, inv.Currency,
			formatAmount(inv.Total, inv.Currency), calendarOf(inv.Invoice).date(inv.FinalizedAt))
	}
	return tw.Flush()
}
