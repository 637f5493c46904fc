package authapi

import (
	"bytes"
	"encoding/json"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// ---- requests ----

type tenantReq struct {
	Name                 *string         `json:"name"`
	Attributes           json.RawMessage `json:"attributes"`
	BackOfficeStaffEmail *string         `json:"back_office_staff_email"`
}

func (r tenantReq) toInput() (tenant.TenantInput, error) {
	var fe errs.FieldErrors
	if r.Name == nil {
		fe.Add("name", "is required")
	}
	if r.BackOfficeStaffEmail == nil {
		fe.Add("back_office_staff_email", "is required")
	}
	attrs, err := decodeAttributes(r.Attributes)
	if err != nil {
		fe.Add("attributes", "%s", err.Error())
	}
	if err := fe.Err(); err != nil {
		return tenant.TenantInput{}, err
	}
	return tenant.TenantInput{Name: *r.Name, BackOfficeStaffEmail: *r.BackOfficeStaffEmail, Attributes: attrs}, nil
}

type attributesError string

func (e attributesError) Error() string { return string(e) }

// decodeAttributes accepts what the SDKs send for "no attributes" (absent,
// null or []) and otherwise a JSON object, keeping numbers exact.
func decodeAttributes(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, bytes.Equal(raw, []byte("null")):
		return nil, nil
	case raw[0] == '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil || len(arr) != 0 {
			return nil, attributesError("must be an object (an empty array is accepted as no attributes)")
		}
		return nil, nil
	case raw[0] != '{':
		return nil, attributesError("must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		return nil, attributesError("must be an object")
	}
	return m, nil
}

type planReq struct {
	NextPlanID        nullableID `json:"next_plan_id"`
	UsingNextPlanFrom *int64     `json:"using_next_plan_from"`
	NextPlanTaxRateID *string    `json:"next_plan_tax_rate_id"`
	ProrationBehavior *string    `json:"proration_behavior"`
	DeleteUsage       *bool      `json:"delete_usage"`
}

// nullableID is an id field that SDKs may send as null: null means no id,
// the same as "" (see PUT /tenants/{tenant_id}/plans in api/auth.yaml).
type nullableID struct {
	set bool // present, null included
	v   string
}

func (n *nullableID) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		n.v = ""
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// ptr is the id as the domain takes it: nil when absent.
func (n nullableID) ptr() *string {
	if !n.set {
		return nil
	}
	return &n.v
}

func (r planReq) toChange() tenant.PlanChange {
	c := tenant.PlanChange{NextPlanID: r.NextPlanID.ptr(), From: r.UsingNextPlanFrom, TaxRateID: r.NextPlanTaxRateID, DeleteUsage: r.DeleteUsage}
	if r.ProrationBehavior != nil {
		c.Proration = tenant.Proration(*r.ProrationBehavior)
	}
	return c
}

type addressReq struct {
	Street                *string `json:"street"`
	City                  *string `json:"city"`
	State                 *string `json:"state"`
	Country               *string `json:"country"`
	PostalCode            *string `json:"postal_code"`
	AdditionalAddressInfo *string `json:"additional_address_info"`
}

type billingReq struct {
	Name            *string     `json:"name"`
	Address         *addressReq `json:"address"`
	InvoiceLanguage *string     `json:"invoice_language"`
}

func (r billingReq) toInfo() (tenant.BillingInfo, error) {
	var fe errs.FieldErrors
	need := func(field string, p *string) string {
		if p == nil {
			fe.Add(field, "is required")
			return ""
		}
		return *p
	}
	b := tenant.BillingInfo{Name: need("name", r.Name), InvoiceLanguage: need("invoice_language", r.InvoiceLanguage)}
	if r.Address == nil {
		fe.Add("address", "is required")
	} else {
		a := r.Address
		b.Address = tenant.Address{
			Street: need("address.street", a.Street), City: need("address.city", a.City), State: need("address.state", a.State),
			Country: need("address.country", a.Country), PostalCode: need("address.postal_code", a.PostalCode),
		}
		if a.AdditionalAddressInfo != nil {
			b.Address.AdditionalAddressInfo = *a.AdditionalAddressInfo
		}
	}
	return b, fe.Err()
}

type attributeReq struct {
	AttributeName *string `json:"attribute_name"`
	DisplayName   *string `json:"display_name"`
	AttributeType *string `json:"attribute_type"`
}

func (r attributeReq) toAttribute() (tenant.Attribute, error) {
	var fe errs.FieldErrors
	for field, p := range map[string]*string{"attribute_name": r.AttributeName, "display_name": r.DisplayName, "attribute_type": r.AttributeType} {
		if p == nil {
			fe.Add(field, "is required")
		}
	}
	if err := fe.Err(); err != nil {
		return tenant.Attribute{}, err
	}
	return tenant.Attribute{Name: *r.AttributeName, DisplayName: *r.DisplayName, Type: tenant.AttributeType(*r.AttributeType)}, nil
}

// ---- responses ----

type historyResp struct {
	PlanID            string `json:"plan_id"`
	PlanAppliedAt     int64  `json:"plan_applied_at"`
	TaxRateID         string `json:"tax_rate_id,omitempty"`
	ProrationBehavior string `json:"proration_behavior,omitempty"`
	DeleteUsage       *bool  `json:"delete_usage,omitempty"`
}

type tenantResp struct {
	ID                   string              `json:"id"`
	Name                 string              `json:"name"`
	Attributes           map[string]any      `json:"attributes"`
	BackOfficeStaffEmail string              `json:"back_office_staff_email"`
	PlanID               string              `json:"plan_id,omitempty"`
	BillingInfo          *tenant.BillingInfo `json:"billing_info,omitempty"`
	NextPlanID           *string             `json:"next_plan_id,omitempty"`
	UsingNextPlanFrom    *int64              `json:"using_next_plan_from,omitempty"`
	NextPlanTaxRateID    string              `json:"next_plan_tax_rate_id,omitempty"`
	ProrationBehavior    string              `json:"proration_behavior,omitempty"`
	DeleteUsage          *bool               `json:"delete_usage,omitempty"`
	PlanHistories        []historyResp       `json:"plan_histories"`
}

type tenantDetailResp struct {
	tenantResp
	CurrentPlanPeriodStart *int64 `json:"current_plan_period_start,omitempty"`
	CurrentPlanPeriodEnd   *int64 `json:"current_plan_period_end,omitempty"`
}

func toTenantResp(t tenant.Tenant) tenantResp {
	out := tenantResp{ID: t.ID, Name: t.Name, Attributes: t.Attributes, BackOfficeStaffEmail: t.BackOfficeStaffEmail,
		PlanID: t.PlanID, BillingInfo: t.BillingInfo, PlanHistories: make([]historyResp, len(t.History))}
	if out.Attributes == nil {
		out.Attributes = map[string]any{}
	}
	if r := t.Reservation; r != nil {
		planID, from := r.PlanID, r.At.Unix()
		out.NextPlanID, out.UsingNextPlanFrom = &planID, &from
		out.NextPlanTaxRateID, out.ProrationBehavior, out.DeleteUsage = r.TaxRateID, string(r.Proration), r.DeleteUsage
	}
	for i, h := range t.History {
		out.PlanHistories[i] = historyResp{PlanID: h.PlanID, PlanAppliedAt: h.AppliedAt.Unix(), TaxRateID: h.TaxRateID,
			ProrationBehavior: string(h.Proration), DeleteUsage: h.DeleteUsage}
	}
	return out
}

func toDetailResp(d tenant.Detail) tenantDetailResp {
	out := tenantDetailResp{tenantResp: toTenantResp(d.Tenant)}
	if d.PeriodStart != nil {
		s, e := d.PeriodStart.Unix(), d.PeriodEnd.Unix()
		out.CurrentPlanPeriodStart, out.CurrentPlanPeriodEnd = &s, &e
	}
	return out
}

type attributeResp struct {
	AttributeName string `json:"attribute_name"`
	DisplayName   string `json:"display_name"`
	AttributeType string `json:"attribute_type"`
}

func toAttributeResp(a tenant.Attribute) attributeResp {
	return attributeResp{AttributeName: a.Name, DisplayName: a.DisplayName, AttributeType: string(a.Type)}
}
