// Package pricing owns a SaaS's pricing catalog: meters (metering units),
// pricing units, menus that bundle units, plans that bundle menus, and tax
// rates. It holds the business rules of the SaaSus Pricing API (validation,
// the used flag and what it forbids, uniqueness) and reaches storage only
// through the Store interface.
package pricing

// UnitType selects how a pricing unit charges.
type UnitType string

// The four unit types of the SaaSus Pricing API.
const (
	UnitTypeFixed       UnitType = "fixed"        // a fixed amount per recurring interval
	UnitTypeUsage       UnitType = "usage"        // usage × unit amount
	UnitTypeTiered      UnitType = "tiered"       // volume pricing: the whole quantity at one tier
	UnitTypeTieredUsage UnitType = "tiered_usage" // graduated pricing: each tier prices its slice
)

// Metered reports whether units of this type reference a meter.
func (t UnitType) Metered() bool { return t != UnitTypeFixed }

// Valid reports whether t is one of the four types.
func (t UnitType) Valid() bool {
	switch t {
	case UnitTypeFixed, UnitTypeUsage, UnitTypeTiered, UnitTypeTieredUsage:
		return true
	}
	return false
}

// Currency is an ISO 4217 code; the SaaSus API knows two.
type Currency string

// Supported currencies. Amounts are integers in the currency's minor unit as
// written in docs/money.md: yen for JPY, cents for USD.
const (
	CurrencyJPY Currency = "JPY"
	CurrencyUSD Currency = "USD"
)

// Valid reports whether c is supported.
func (c Currency) Valid() bool { return c == CurrencyJPY || c == CurrencyUSD }

// Interval is how often a unit recurs.
type Interval string

// Recurring intervals.
const (
	IntervalMonth Interval = "month"
	IntervalYear  Interval = "year"
)

// Valid reports whether i is month or year.
func (i Interval) Valid() bool { return i == IntervalMonth || i == IntervalYear }

// AggregateUsage says how a meter's values combine over a day or month.
type AggregateUsage string

// Aggregations. The empty value means "not set" (sum applies).
const (
	AggregateSum AggregateUsage = "sum"
	AggregateMax AggregateUsage = "max"
)

// Valid reports whether a is sum or max.
func (a AggregateUsage) Valid() bool { return a == AggregateSum || a == AggregateMax }

// Tier is one step of a tiered unit. UpTo is inclusive and ignored when Inf.
type Tier struct {
	UpTo       uint64
	UnitAmount uint64
	FlatAmount uint64
	Inf        bool
}

// Meter is a metering unit: a named counter the SaaS reports usage to.
type Meter struct {
	ID             string
	Name           string // unit_name on the wire; unique per SaaS
	DisplayName    string
	Description    string
	AggregateUsage AggregateUsage // empty when not set
	Used           bool
}

// Unit is a pricing unit. Which fields are meaningful depends on Type:
// fixed units have UnitAmount and Interval; usage units have UnitAmount,
// UpperCount and a meter; tiered units have Tiers, UpperCount and a meter.
type Unit struct {
	ID             string
	Name           string
	DisplayName    string
	Description    string
	Type           UnitType
	Currency       Currency
	UnitAmount     uint64
	Interval       Interval
	UpperCount     uint64
	MeterID        string
	MeterName      string
	AggregateUsage AggregateUsage
	Tiers          []Tier
	Used           bool
}

// Menu bundles pricing units, in the order they were given.
type Menu struct {
	ID          string
	Name        string
	DisplayName string
	Description string
	Used        bool
	Units       []Unit
}

// Plan bundles menus, in the order they were given.
type Plan struct {
	ID          string
	Name        string
	DisplayName string
	Description string
	Used        bool
	Menus       []Menu
}

// TaxRate is a named tax percentage. Percentage is kept as the exact decimal
// text the caller sent (e.g. "10" or "8.5"), never as a float.
type TaxRate struct {
	ID          string
	Name        string
	DisplayName string
	Percentage  string
	Inclusive   bool
	Country     string
	Description string
}
