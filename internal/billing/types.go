// Package billing computes invoices: for a tenant and a billing period, the
// exact charges that its plan history, its recorded usage and its tax
// rates imply, line by line, each line with what it was rated from so that
// anyone can rate it again. Finalized invoices are numbered and never
// change; usage that arrives for a period after its invoice was finalized
// becomes an adjustment line on the tenant's next invoice.
//
// Rating (Charge, Prorate, Tax, Segments, Aggregate, Build) is pure
// functions: no clock, no storage, no logger, inputs never changed. The
// Service reads their inputs through the Store and records what they
// produce. Amounts are int64 in the currency's smallest unit (docs/money.md)
// and never touch floating point.
package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/saasplane/saasplane/internal/pricing"
)

// Engine names the rating rules an invoice was computed by. It changes
// whenever a rule would give another amount for the same inputs, so a
// stored invoice always says which rules made it.
const Engine = "saasplane-billing/1"

// Invoice is a tenant's bill for one period. A preview has no ID, Number
// or FinalizedAt. Its JSON is the invoice document: what is stored, and
// what the API and the golden fixtures show.
type Invoice struct {
	ID          string `json:"invoice_id,omitempty"`
	Number      int64  `json:"number,omitempty"`
	TenantID    string `json:"tenant_id"`
	Period      string `json:"period"`
	PeriodStart int64  `json:"period_start"`
	PeriodEnd   int64  `json:"period_end"`
	// TimeZone is the IANA zone the period's bounds are midnights of.
	TimeZone    string           `json:"time_zone"`
	Currency    pricing.Currency `json:"currency,omitempty"`
	Lines       []Line           `json:"lines"`
	Subtotal    int64            `json:"subtotal"`
	TaxAmount   int64            `json:"tax_amount"`
	Total       int64            `json:"total"`
	TaxRateID   string           `json:"tax_rate_id,omitempty"`
	Taxes       []TaxLine        `json:"taxes"`
	Rounding    string           `json:"rounding,omitempty"`
	Engine      string           `json:"engine"`
	FinalizedAt int64            `json:"finalized_at,omitempty"`
	// RunID is the invoice run that finalized it ("" when finalized by
	// a direct call).
	RunID string `json:"run_id,omitempty"`
}

// Finalized reports whether the invoice was finalized (it is not a
// preview).
func (inv Invoice) Finalized() bool { return inv.ID != "" }

// FinalizedTime is when the invoice was finalized.
func (inv Invoice) FinalizedTime() time.Time { return time.Unix(inv.FinalizedAt, 0).UTC() }

// Line is one charge: a pricing unit rated over a window of the period, or
// an adjustment of a line of an earlier invoice.
type Line struct {
	PricingUnitID    string           `json:"pricing_unit_id"`
	Name             string           `json:"name"`
	DisplayName      string           `json:"display_name"`
	Type             pricing.UnitType `json:"type"`
	MeteringUnitName string           `json:"metering_unit_name,omitempty"`
	PlanID           string           `json:"plan_id"`
	// Quantity is the window's aggregated usage for a metered line, the
	// change in it for an adjustment, and 1 for a fixed fee.
	Quantity  int64     `json:"quantity"`
	Amount    int64     `json:"amount"`
	TaxRateID string    `json:"tax_rate_id,omitempty"`
	From      int64     `json:"from"`
	To        int64     `json:"to"`
	Adjusts   *Adjusted `json:"adjusts,omitempty"`
	// Provenance is everything the amount was computed from.
	Provenance Provenance `json:"provenance"`
}

// Adjusted names the line of an earlier invoice that an adjustment line
// corrects.
type Adjusted struct {
	InvoiceID string `json:"invoice_id"`
	Number    int64  `json:"number"`
	Period    string `json:"period"`
	Line      int    `json:"line"`
}

// Provenance lets anyone rate a line again: the unit definition (and its
// hash), the meter window and its aggregated quantity, the proration and
// the tax rate.
type Provenance struct {
	UnitHash string  `json:"unit_hash"`
	Unit     UnitDef `json:"unit"`
	// Quantity is the aggregated usage of the window that was rated (for
	// an adjustment: the quantity now; Previous is the one already billed).
	Quantity       uint64   `json:"quantity"`
	Previous       *uint64  `json:"previous_quantity,omitempty"`
	CoveredSeconds int64    `json:"covered_seconds,omitempty"`
	PeriodSeconds  int64    `json:"period_seconds,omitempty"`
	PeriodMonths   int      `json:"period_months,omitempty"`
	Tax            *TaxSnap `json:"tax,omitempty"`
}

// UnitDef is what of a pricing unit decides its charge, as it was when the
// line was rated. AggregateUsage is the aggregation that applied (the
// unit's own, else its meter's, else sum).
type UnitDef struct {
	ID                string                 `json:"id"`
	Type              pricing.UnitType       `json:"type"`
	Currency          pricing.Currency       `json:"currency"`
	UnitAmount        uint64                 `json:"unit_amount"`
	RecurringInterval pricing.Interval       `json:"recurring_interval,omitempty"`
	MeteringUnitID    string                 `json:"metering_unit_id,omitempty"`
	MeteringUnitName  string                 `json:"metering_unit_name,omitempty"`
	AggregateUsage    pricing.AggregateUsage `json:"aggregate_usage,omitempty"`
	Tiers             []TierDef              `json:"tiers,omitempty"`
}

// TierDef is one tier of a UnitDef.
type TierDef struct {
	UpTo       uint64 `json:"up_to"`
	UnitAmount uint64 `json:"unit_amount"`
	FlatAmount uint64 `json:"flat_amount"`
	Inf        bool   `json:"inf"`
}

// TaxSnap is a tax rate as it was applied.
type TaxSnap struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Percentage  string `json:"percentage"`
	Inclusive   bool   `json:"inclusive"`
}

// TaxLine is the tax of the lines that carry one tax rate, computed once
// on their sum (one rounding per rate and invoice, as a Japanese qualified
// invoice requires). Taxable is that sum; for an inclusive rate it
// includes Amount.
type TaxLine struct {
	TaxSnap
	Taxable int64 `json:"taxable_amount"`
	Amount  int64 `json:"tax_amount"`
}

// defOf captures the rating definition of u.
func defOf(u pricing.Unit, agg pricing.AggregateUsage) UnitDef {
	d := UnitDef{ID: u.ID, Type: u.Type, Currency: u.Currency, UnitAmount: u.UnitAmount}
	if u.Type == pricing.UnitTypeFixed {
		d.RecurringInterval = u.Interval
	} else {
		d.MeteringUnitID, d.MeteringUnitName, d.AggregateUsage = u.MeterID, u.MeterName, agg
	}
	if u.Type == pricing.UnitTypeTiered || u.Type == pricing.UnitTypeTieredUsage {
		d.UnitAmount = 0
		d.Tiers = make([]TierDef, len(u.Tiers))
		for i, t := range u.Tiers {
			d.Tiers[i] = TierDef(t)
		}
	}
	return d
}

// Unit returns the definition as a pricing unit that Charge and Prorate
// rate exactly as the original.
func (d UnitDef) Unit() pricing.Unit {
	u := pricing.Unit{ID: d.ID, Type: d.Type, Currency: d.Currency, UnitAmount: d.UnitAmount, Interval: d.RecurringInterval,
		MeterID: d.MeteringUnitID, MeterName: d.MeteringUnitName, AggregateUsage: d.AggregateUsage}
	for _, t := range d.Tiers {
		u.Tiers = append(u.Tiers, pricing.Tier(t))
	}
	return u
}

// Hash is "sha256:" and the hex SHA-256 of the definition's JSON (fields
// in the order above): two lines rated with the same rules have the same
// hash, whatever the unit's name became since.
func (d UnitDef) Hash() string {
	b, _ := json.Marshal(d) // a struct of strings, integers and booleans: never fails
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
