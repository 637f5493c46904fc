package tenant

import (
	"time"

	"github.com/saasplane/saasplane/internal/attribute"
	"github.com/saasplane/saasplane/internal/errs"
)

// Limits on free text.
const (
	MaxNameLen      = 255
	MaxEmailLen     = 254
	MaxAttributes   = attribute.MaxPerObject
	MaxAttrValueLen = attribute.MaxValueLen
	MaxAddressLen   = 255
)

// TenantInput creates or replaces a tenant's details.
type TenantInput struct {
	Name                 string
	BackOfficeStaffEmail string
	// Attributes as decoded from JSON (numbers as json.Number); nil means
	// none. A null value means "not set".
	Attributes map[string]any
}

// Validate checks the shape of the input; attribute values are checked
// against the declared attributes by the service.
func (in TenantInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", in.Name, MaxNameLen, true)
	checkEmail(&fe, "back_office_staff_email", in.BackOfficeStaffEmail)
	if len(in.Attributes) > MaxAttributes {
		fe.Add("attributes", "must have at most %d keys", MaxAttributes)
	}
	return fe.Err()
}

func checkEmail(fe *errs.FieldErrors, field, v string) { fe.Email(field, v, MaxEmailLen) }

// checkAttributes verifies every value against its declared type and
// returns the normalised map (nulls dropped).
func checkAttributes(decl []Attribute, in map[string]any) (map[string]any, error) {
	return attribute.Check(decl, in, "attributes", "is not a declared tenant attribute: create it first with POST /tenant-attributes")
}

// AttributeInput declares a tenant attribute.
type AttributeInput = Attribute

// Validate checks billing information.
func (b BillingInfo) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", b.Name, MaxNameLen, true)
	for field, v := range map[string]string{
		"address.street": b.Address.Street, "address.city": b.Address.City, "address.state": b.Address.State,
		"address.postal_code": b.Address.PostalCode, "address.additional_address_info": b.Address.AdditionalAddressInfo,
	} {
		fe.Text(field, v, MaxAddressLen, false)
	}
	fe.Country("address.country", b.Address.Country)
	if b.InvoiceLanguage != LanguageJA && b.InvoiceLanguage != LanguageEN {
		fe.Add("invoice_language", "must be one of ja-JP, en-US")
	}
	return fe.Err()
}

// PlanChange is the body of PUT /tenants/{id}/plans. Nil pointers are
// fields that were not sent.
type PlanChange struct {
	NextPlanID  *string
	From        *int64 // Unix seconds
	TaxRateID   *string
	Proration   Proration
	DeleteUsage *bool
}

// planAction is what a PlanChange asks for.
type planAction int

const (
	actionCancel    planAction = iota // drop a pending reservation
	actionImmediate                   // switch plan now
	actionReserve                     // switch (or end) at From
)

func (c PlanChange) action() planAction {
	switch {
	case c.From != nil:
		return actionReserve
	case c.NextPlanID != nil && *c.NextPlanID != "":
		return actionImmediate
	default:
		return actionCancel
	}
}

// validate checks the change against now.
func (c PlanChange) validate(now time.Time) error {
	var fe errs.FieldErrors
	if !c.Proration.Valid() {
		fe.Add("proration_behavior", "must be one of create_prorations, none, always_invoice")
	}
	switch c.action() {
	case actionReserve:
		if c.NextPlanID == nil {
			fe.Add("next_plan_id", `is required with using_next_plan_from (send "" to end the plan at that time)`)
		}
		if *c.From < now.Unix() {
			fe.Add("using_next_plan_from", "%d is in the past (now is %d)", *c.From, now.Unix())
		}
		if *c.From > maxFuture.Unix() {
			fe.Add("using_next_plan_from", "must be before %s", maxFuture.Format(time.DateOnly))
		}
	case actionCancel:
		if c.TaxRateID != nil && *c.TaxRateID != "" {
			fe.Add("next_plan_tax_rate_id", "needs a next_plan_id")
		}
	}
	if c.NextPlanID != nil && *c.NextPlanID == "" && c.TaxRateID != nil && *c.TaxRateID != "" {
		fe.Add("next_plan_tax_rate_id", "cannot be set when ending the plan (next_plan_id is empty)")
	}
	return fe.Err()
}

// maxFuture bounds reservation times to something a calendar can hold.
var maxFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
