package pricingapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// ---- requests ----
//
// Request fields are pointers so a missing required field can be told apart
// from a zero value. Amounts decode into uint64, so encoding/json itself
// rejects negative and fractional numbers and names the field.

type tierReq struct {
	UpTo       *uint64 `json:"up_to"`
	UnitAmount *uint64 `json:"unit_amount"`
	FlatAmount *uint64 `json:"flat_amount"`
	Inf        *bool   `json:"inf"`
}

type unitReq struct {
	Name              *string    `json:"name"`
	DisplayName       *string    `json:"display_name"`
	Description       *string    `json:"description"`
	Type              *string    `json:"type"`
	Currency          *string    `json:"currency"`
	UnitAmount        *uint64    `json:"unit_amount"`
	RecurringInterval *string    `json:"recurring_interval"`
	UpperCount        *uint64    `json:"upper_count"`
	MeteringUnitName  *string    `json:"metering_unit_name"`
	AggregateUsage    *string    `json:"aggregate_usage"`
	Tiers             *[]tierReq `json:"tiers"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// need records a missing required field.
func need[T any](fe *errs.FieldErrors, field string, p *T) {
	if p == nil {
		fe.Add(field, "is required")
	}
}

// amount records an amount above the largest storable integer.
func amount(fe *errs.FieldErrors, field string, p *uint64) uint64 {
	if p == nil {
		return 0
	}
	if *p > math.MaxInt64 {
		fe.Add(field, "must be at most %d", int64(math.MaxInt64))
	}
	return *p
}

// toInput checks presence per unit type (the oneOf of the API, discriminated
// by "type") and converts to the domain input.
func (r unitReq) toInput() (pricing.UnitInput, error) {
	var fe errs.FieldErrors
	need(&fe, "name", r.Name)
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "description", r.Description)
	need(&fe, "type", r.Type)
	need(&fe, "currency", r.Currency)
	in := pricing.UnitInput{
		Name: str(r.Name), DisplayName: str(r.DisplayName), Description: str(r.Description),
		Type: pricing.UnitType(str(r.Type)), Currency: pricing.Currency(str(r.Currency)),
		Interval: pricing.Interval(str(r.RecurringInterval)), MeterName: str(r.MeteringUnitName),
		AggregateUsage: pricing.AggregateUsage(str(r.AggregateUsage)),
	}
	in.UnitAmount = amount(&fe, "unit_amount", r.UnitAmount)
	in.UpperCount = amount(&fe, "upper_count", r.UpperCount)
	switch in.Type {
	case pricing.UnitTypeFixed:
		need(&fe, "unit_amount", r.UnitAmount)
		need(&fe, "recurring_interval", r.RecurringInterval)
	case pricing.UnitTypeUsage:
		need(&fe, "unit_amount", r.UnitAmount)
		need(&fe, "upper_count", r.UpperCount)
		need(&fe, "metering_unit_name", r.MeteringUnitName)
	case pricing.UnitTypeTiered, pricing.UnitTypeTieredUsage:
		need(&fe, "upper_count", r.UpperCount)
		need(&fe, "metering_unit_name", r.MeteringUnitName)
		need(&fe, "tiers", r.Tiers)
		if r.Tiers != nil {
			for i, t := range *r.Tiers {
				f := fmt.Sprintf("tiers[%d].", i)
				need(&fe, f+"up_to", t.UpTo)
				need(&fe, f+"unit_amount", t.UnitAmount)
				need(&fe, f+"flat_amount", t.FlatAmount)
				need(&fe, f+"inf", t.Inf)
				tier := pricing.Tier{
					UpTo:       amount(&fe, f+"up_to", t.UpTo),
					UnitAmount: amount(&fe, f+"unit_amount", t.UnitAmount),
					FlatAmount: amount(&fe, f+"flat_amount", t.FlatAmount),
				}
				if t.Inf != nil {
					tier.Inf = *t.Inf
				}
				in.Tiers = append(in.Tiers, tier)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return in, err
	}
	return in, in.Validate()
}

type menuReq struct {
	Name        *string   `json:"name"`
	DisplayName *string   `json:"display_name"`
	Description *string   `json:"description"`
	UnitIDs     *[]string `json:"unit_ids"`
}

func (r menuReq) toInput() (pricing.MenuInput, error) {
	var fe errs.FieldErrors
	need(&fe, "name", r.Name)
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "description", r.Description)
	need(&fe, "unit_ids", r.UnitIDs)
	if err := fe.Err(); err != nil {
		return pricing.MenuInput{}, err
	}
	return pricing.MenuInput{Name: *r.Name, DisplayName: *r.DisplayName, Description: *r.Description, UnitIDs: *r.UnitIDs}, nil
}

type planReq struct {
	Name        *string   `json:"name"`
	DisplayName *string   `json:"display_name"`
	Description *string   `json:"description"`
	MenuIDs     *[]string `json:"menu_ids"`
}

func (r planReq) toInput() (pricing.PlanInput, error) {
	var fe errs.FieldErrors
	need(&fe, "name", r.Name)
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "description", r.Description)
	need(&fe, "menu_ids", r.MenuIDs)
	if err := fe.Err(); err != nil {
		return pricing.PlanInput{}, err
	}
	return pricing.PlanInput{Name: *r.Name, DisplayName: *r.DisplayName, Description: *r.Description, MenuIDs: *r.MenuIDs}, nil
}

type plansUsedReq struct {
	PlanIDs *[]string `json:"plan_ids"`
}

type meterReq struct {
	UnitName       *string `json:"unit_name"`
	AggregateUsage *string `json:"aggregate_usage"`
	DisplayName    *string `json:"display_name"`
	Description    *string `json:"description"`
}

func (r meterReq) toInput() (pricing.MeterInput, error) {
	var fe errs.FieldErrors
	need(&fe, "unit_name", r.UnitName)
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "description", r.Description)
	if err := fe.Err(); err != nil {
		return pricing.MeterInput{}, err
	}
	return pricing.MeterInput{Name: *r.UnitName, DisplayName: *r.DisplayName, Description: *r.Description,
		AggregateUsage: pricing.AggregateUsage(str(r.AggregateUsage))}, nil
}

type taxRateReq struct {
	Name        *string          `json:"name"`
	DisplayName *string          `json:"display_name"`
	Percentage  *json.RawMessage `json:"percentage"`
	Inclusive   *bool            `json:"inclusive"`
	Country     *string          `json:"country"`
	Description *string          `json:"description"`
}

func (r taxRateReq) toInput() (pricing.TaxRateInput, error) {
	var fe errs.FieldErrors
	need(&fe, "name", r.Name)
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "percentage", r.Percentage)
	need(&fe, "inclusive", r.Inclusive)
	need(&fe, "country", r.Country)
	need(&fe, "description", r.Description)
	var pct string
	if r.Percentage != nil {
		raw := bytes.TrimSpace(*r.Percentage)
		// Only a bare JSON number: no strings, booleans or null.
		if len(raw) == 0 || !(raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
			fe.Add("percentage", "must be a number, got %s", raw)
		} else {
			pct = string(raw)
		}
	}
	if err := fe.Err(); err != nil {
		return pricing.TaxRateInput{}, err
	}
	return pricing.TaxRateInput{Name: *r.Name, DisplayName: *r.DisplayName, Percentage: pct,
		Inclusive: *r.Inclusive, Country: *r.Country, Description: *r.Description}, nil
}

type taxRateUpdateReq struct {
	DisplayName *string `json:"display_name"`
	Description *string `json:"description"`
}

func (r taxRateUpdateReq) toInput() (pricing.TaxRateUpdate, error) {
	var fe errs.FieldErrors
	need(&fe, "display_name", r.DisplayName)
	need(&fe, "description", r.Description)
	if err := fe.Err(); err != nil {
		return pricing.TaxRateUpdate{}, err
	}
	return pricing.TaxRateUpdate{DisplayName: *r.DisplayName, Description: *r.Description}, nil
}

// ---- responses ----

type tierResp struct {
	UpTo       uint64 `json:"up_to"`
	UnitAmount uint64 `json:"unit_amount"`
	FlatAmount uint64 `json:"flat_amount"`
	Inf        bool   `json:"inf"`
}

// unitResp is the wire form of every unit variant; omitempty drops the
// fields a variant does not carry, and toUnitResp fills only those.
type unitResp struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	DisplayName       string      `json:"display_name"`
	Description       string      `json:"description"`
	Type              string      `json:"type"`
	Currency          string      `json:"currency"`
	UnitAmount        *uint64     `json:"unit_amount,omitempty"`
	RecurringInterval string      `json:"recurring_interval"`
	UpperCount        *uint64     `json:"upper_count,omitempty"`
	MeteringUnitID    string      `json:"metering_unit_id,omitempty"`
	MeteringUnitName  string      `json:"metering_unit_name,omitempty"`
	AggregateUsage    string      `json:"aggregate_usage,omitempty"`
	Tiers             *[]tierResp `json:"tiers,omitempty"`
	Used              bool        `json:"used"`
}

func toUnitResp(u pricing.Unit) unitResp {
	out := unitResp{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Description: u.Description,
		Type: string(u.Type), Currency: string(u.Currency), RecurringInterval: string(u.Interval), Used: u.Used}
	amount, upper := u.UnitAmount, u.UpperCount
	switch u.Type {
	case pricing.UnitTypeFixed:
		out.UnitAmount = &amount
		return out
	case pricing.UnitTypeUsage:
		out.UnitAmount = &amount
	default:
		tiers := make([]tierResp, len(u.Tiers))
		for i, t := range u.Tiers {
			tiers[i] = tierResp(t)
		}
		out.Tiers = &tiers
	}
	out.UpperCount = &upper
	out.MeteringUnitID, out.MeteringUnitName = u.MeterID, u.MeterName
	out.AggregateUsage = string(u.AggregateUsage)
	return out
}

func toUnitsResp(us []pricing.Unit) []unitResp {
	out := make([]unitResp, len(us))
	for i, u := range us {
		out[i] = toUnitResp(u)
	}
	return out
}

type menuResp struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name"`
	Description string     `json:"description"`
	Used        bool       `json:"used"`
	Units       []unitResp `json:"units"`
}

func toMenuResp(m pricing.Menu) menuResp {
	return menuResp{ID: m.ID, Name: m.Name, DisplayName: m.DisplayName, Description: m.Description, Used: m.Used, Units: toUnitsResp(m.Units)}
}

func toMenusResp(ms []pricing.Menu) []menuResp {
	out := make([]menuResp, len(ms))
	for i, m := range ms {
		out[i] = toMenuResp(m)
	}
	return out
}

type planResp struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	DisplayName  string     `json:"display_name"`
	Description  string     `json:"description"`
	Used         bool       `json:"used"`
	PricingMenus []menuResp `json:"pricing_menus"`
}

func toPlanResp(p pricing.Plan) planResp {
	return planResp{ID: p.ID, Name: p.Name, DisplayName: p.DisplayName, Description: p.Description, Used: p.Used, PricingMenus: toMenusResp(p.Menus)}
}

type meterResp struct {
	ID             string `json:"id"`
	UnitName       string `json:"unit_name"`
	AggregateUsage string `json:"aggregate_usage,omitempty"`
	DisplayName    string `json:"display_name"`
	Description    string `json:"description"`
	Used           bool   `json:"used"`
}

func toMeterResp(m pricing.Meter) meterResp {
	return meterResp{ID: m.ID, UnitName: m.Name, AggregateUsage: string(m.AggregateUsage), DisplayName: m.DisplayName, Description: m.Description, Used: m.Used}
}

type taxRateResp struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name"`
	Percentage  json.Number `json:"percentage"`
	Inclusive   bool        `json:"inclusive"`
	Country     string      `json:"country"`
	Description string      `json:"description"`
}

func toTaxRateResp(r pricing.TaxRate) taxRateResp {
	return taxRateResp{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Percentage: json.Number(r.Percentage),
		Inclusive: r.Inclusive, Country: r.Country, Description: r.Description}
}
