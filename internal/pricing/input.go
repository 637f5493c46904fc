package pricing

import (
	"fmt"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// Limits on free text, so one row cannot grow without bound.
const (
	MaxNameLen        = 255
	MaxDescriptionLen = 10000
	MaxTiers          = 100
	MaxIDsPerList     = 1000
)

// UnitInput creates or replaces a pricing unit. PATCH is a full replacement.
type UnitInput struct {
	Name           string
	DisplayName    string
	Description    string
	Type           UnitType
	Currency       Currency
	UnitAmount     uint64
	Interval       Interval
	UpperCount     uint64
	MeterName      string
	AggregateUsage AggregateUsage
	Tiers          []Tier
}

// Validate checks the shape of the input; references are checked by the
// service against storage.
func (in UnitInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", in.Name, MaxNameLen, true)
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	if !in.Type.Valid() {
		fe.Add("type", "must be one of fixed, usage, tiered, tiered_usage")
	}
	if !in.Currency.Valid() {
		fe.Add("currency", "must be one of JPY, USD")
	}
	switch in.Type {
	case UnitTypeFixed:
		if !in.Interval.Valid() {
			fe.Add("recurring_interval", "must be one of month, year")
		}
	case UnitTypeUsage, UnitTypeTiered, UnitTypeTieredUsage:
		fe.Text("metering_unit_name", in.MeterName, MaxNameLen, true)
		if in.AggregateUsage != "" && !in.AggregateUsage.Valid() {
			fe.Add("aggregate_usage", "must be one of sum, max")
		}
		if in.Type != UnitTypeUsage {
			validateTiers(&fe, in.Tiers)
		}
	}
	return fe.Err()
}

// validateTiers enforces the tier rules written in docs/api-behaviour.md:
// at least one tier, at most MaxTiers, up_to strictly ascending over the
// bounded tiers, and exactly the last tier open-ended (inf: true).
func validateTiers(fe *errs.FieldErrors, tiers []Tier) {
	if len(tiers) == 0 {
		fe.Add("tiers", "must contain at least one tier")
		return
	}
	if len(tiers) > MaxTiers {
		fe.Add("tiers", "must contain at most %d tiers", MaxTiers)
		return
	}
	last := len(tiers) - 1
	for i, t := range tiers {
		f := fmt.Sprintf("tiers[%d]", i)
		switch {
		case i == last && !t.Inf:
			fe.Add(f+".inf", "the last tier must have inf: true")
		case i < last && t.Inf:
			fe.Add(f+".inf", "only the last tier may have inf: true")
		case i < last && t.UpTo == 0:
			fe.Add(f+".up_to", "must be greater than 0")
		case i > 0 && i < last+1 && !t.Inf && t.UpTo <= tiers[i-1].UpTo:
			fe.Add(f+".up_to", "must be greater than the previous tier's up_to (%d)", tiers[i-1].UpTo)
		}
	}
}

// MenuInput creates or replaces a menu.
type MenuInput struct {
	Name        string
	DisplayName string
	Description string
	UnitIDs     []string
}

// Validate checks the input's shape.
func (in MenuInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", in.Name, MaxNameLen, true)
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	checkIDs(&fe, "unit_ids", in.UnitIDs)
	return fe.Err()
}

// PlanInput creates or replaces a plan.
type PlanInput struct {
	Name        string
	DisplayName string
	Description string
	MenuIDs     []string
}

// Validate checks the input's shape.
func (in PlanInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", in.Name, MaxNameLen, true)
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	checkIDs(&fe, "menu_ids", in.MenuIDs)
	return fe.Err()
}

// reservedMeterNames collide with the all-meter routes
// /metering/tenants/{id}/units/date/{date} and .../units/month/{month}.
var reservedMeterNames = map[string]bool{"date": true, "month": true}

// MeterInput creates or replaces a meter.
type MeterInput struct {
	Name           string
	DisplayName    string
	Description    string
	AggregateUsage AggregateUsage
}

// Validate checks the input's shape. A meter name travels in URL paths, so
// it may not contain '/', '?', '#', '%', whitespace or control characters.
func (in MeterInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("unit_name", in.Name, MaxNameLen, true)
	if reservedMeterNames[in.Name] {
		fe.Add("unit_name", "%q is reserved: it collides with the all-meter count routes", in.Name)
	} else if strings.ContainsAny(in.Name, "/?#% \t\r\n") {
		fe.Add("unit_name", "must not contain '/', '?', '#', '%%' or whitespace: it is used in URL paths")
	}
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	if in.AggregateUsage != "" && !in.AggregateUsage.Valid() {
		fe.Add("aggregate_usage", "must be one of sum, max")
	}
	return fe.Err()
}

// TaxRateInput creates a tax rate. Percentage is decimal text, already
// checked to be a JSON number by the caller.
type TaxRateInput struct {
	Name        string
	DisplayName string
	Percentage  string
	Inclusive   bool
	Country     string
	Description string
}

// Validate checks the input's shape and normalises nothing.
func (in TaxRateInput) Validate() error {
	var fe errs.FieldErrors
	fe.Text("name", in.Name, MaxNameLen, true)
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	if err := CheckPercentage(in.Percentage); err != nil {
		fe.Add("percentage", "%s", err.Error())
	}
	fe.Country("country", in.Country)
	return fe.Err()
}

// TaxRateUpdate changes the two editable fields of a tax rate.
type TaxRateUpdate struct {
	DisplayName string
	Description string
}

// Validate checks the input's shape.
func (in TaxRateUpdate) Validate() error {
	var fe errs.FieldErrors
	fe.Text("display_name", in.DisplayName, MaxNameLen, false)
	fe.Text("description", in.Description, MaxDescriptionLen, false)
	return fe.Err()
}

func checkIDs(fe *errs.FieldErrors, field string, ids []string) {
	if len(ids) > MaxIDsPerList {
		fe.Add(field, "must contain at most %d ids", MaxIDsPerList)
		return
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if id == "" {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), "must not be empty")
		} else if seen[id] {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), "duplicate id %q", id)
		}
		seen[id] = true
	}
}
