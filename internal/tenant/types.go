// Package tenant owns a SaaS's customers (tenants): their details and
// declared attributes, billing information, and their pricing plan over
// time: immediate plan changes, reservations applied at an exact moment by
// a scheduler, and the plan history that billing reads.
//
// A tenant's plan lives in the pricing catalog; assigning one marks it used
// there, in the same transaction.
package tenant

import (
	"time"

	"github.com/saasplane/saasplane/internal/attribute"
)

// AttributeType is the declared type of a tenant attribute.
type AttributeType = attribute.Type

// The attribute types of the SaaSus Auth API.
const (
	AttributeString = attribute.String
	AttributeNumber = attribute.Number
	AttributeBool   = attribute.Bool
	AttributeDate   = attribute.Date
)

// Attribute declares an attribute that tenants may carry.
type Attribute = attribute.Decl

// Proration is the Stripe proration behaviour of a plan change. saasplane
// stores and echoes it; it has no effect without Stripe.
type Proration string

// Proration behaviours.
const (
	ProrationCreate Proration = "create_prorations"
	ProrationNone   Proration = "none"
	ProrationAlways Proration = "always_invoice"
)

// Valid reports whether p is empty (not given) or a known behaviour.
func (p Proration) Valid() bool {
	switch p {
	case "", ProrationCreate, ProrationNone, ProrationAlways:
		return true
	}
	return false
}

// Tenant is one customer of a SaaS.
type Tenant struct {
	ID                   string
	Name                 string
	BackOfficeStaffEmail string
	// Attributes holds declared attributes only; values are string,
	// json.Number or bool (dates as YYYY-MM-DD strings).
	Attributes  map[string]any
	PlanID      string // empty when the tenant has no plan
	BillingInfo *BillingInfo
	Reservation *Reservation
	History     []PlanHistory // oldest first
	CreatedAt   time.Time
}

// Reservation is a plan change scheduled for an exact moment. An empty
// PlanID ends the current plan at At.
type Reservation struct {
	PlanID      string
	At          time.Time
	TaxRateID   string
	Proration   Proration
	DeleteUsage *bool
}

// PlanHistory records one plan change. An empty PlanID marks the end of a
// plan.
type PlanHistory struct {
	PlanID      string
	AppliedAt   time.Time
	TaxRateID   string
	Proration   Proration
	DeleteUsage *bool
}

// BillingInfo is where and how a tenant is invoiced.
type BillingInfo struct {
	Name            string  `json:"name"`
	Address         Address `json:"address"`
	InvoiceLanguage string  `json:"invoice_language"`
}

// Address is a postal address; Country is ISO 3166-1 alpha-2.
type Address struct {
	Street                string `json:"street"`
	City                  string `json:"city"`
	State                 string `json:"state"`
	Country               string `json:"country"`
	PostalCode            string `json:"postal_code"`
	AdditionalAddressInfo string `json:"additional_address_info,omitempty"`
}

// Invoice languages.
const (
	LanguageJA = "ja-JP"
	LanguageEN = "en-US"
)

// CurrentPlanApplied returns when the tenant's current plan was applied:
// the latest history entry, if it set the current plan.
func (t Tenant) CurrentPlanApplied() (time.Time, bool) {
	if t.PlanID == "" || len(t.History) == 0 {
		return time.Time{}, false
	}
	last := t.History[len(t.History)-1]
	if last.PlanID != t.PlanID {
		return time.Time{}, false
	}
	return last.AppliedAt, true
}

// DueEntry is the history entry the tenant's reservation becomes when it
// is due at now, recorded as apply records it: no earlier than the last
// entry. ok is false when nothing is due.
func (t Tenant) DueEntry(now time.Time) (h PlanHistory, ok bool) {
	r := t.Reservation
	if r == nil || r.At.After(now) {
		return PlanHistory{}, false
	}
	return t.recorded(PlanHistory{PlanID: r.PlanID, AppliedAt: r.At, TaxRateID: r.TaxRateID, Proration: r.Proration, DeleteUsage: r.DeleteUsage}), true
}

// recorded returns h as the history records it: the history never goes
// back in time, even when clocks disagree (two serve processes, a wall
// clock stepped back), so a change is recorded no earlier than the one
// before it.
func (t Tenant) recorded(h PlanHistory) PlanHistory {
	if n := len(t.History); n > 0 && h.AppliedAt.Before(t.History[n-1].AppliedAt) {
		h.AppliedAt = t.History[n-1].AppliedAt
	}
	return h
}

// HistoryAt is the plan history as it stands at now: with the reservation
// that is due counted as applied, even before the scheduler applied it.
// The tenant is only read.
func (t Tenant) HistoryAt(now time.Time) []PlanHistory {
	h, ok := t.DueEntry(now)
	if !ok {
		return t.History
	}
	out := make([]PlanHistory, len(t.History), len(t.History)+1)
	copy(out, t.History)
	return append(out, h)
}
