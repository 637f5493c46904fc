package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/saasplane/saasplane/internal/pricing"
)

// pricingPrefix is where the pricing catalog is served.
const pricingPrefix = "/v1/pricing"

// The catalog's wire forms, as api/pricing.yaml has them. Amounts are
// integers and tax percentages JSON numbers kept as text (json.Number),
// never floats.

type wireMeter struct {
	ID             string `json:"id,omitempty"`
	UnitName       string `json:"unit_name"`
	AggregateUsage string `json:"aggregate_usage,omitempty"`
	DisplayName    string `json:"display_name"`
	Description    string `json:"description"`
}

type wireTaxRate struct {
	ID          string      `json:"id,omitempty"`
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name"`
	Percentage  json.Number `json:"percentage"`
	Inclusive   bool        `json:"inclusive"`
	Country     string      `json:"country"`
	Description string      `json:"description"`
}

type wireTier struct {
	UpTo       uint64 `json:"up_to"`
	UnitAmount uint64 `json:"unit_amount"`
	FlatAmount uint64 `json:"flat_amount"`
	Inf        bool   `json:"inf"`
}

// wireUnit is every unit variant; the fields a variant lacks are omitted.
type wireUnit struct {
	ID                string      `json:"id,omitempty"`
	Name              string      `json:"name"`
	DisplayName       string      `json:"display_name"`
	Description       string      `json:"description"`
	Type              string      `json:"type"`
	Currency          string      `json:"currency"`
	UnitAmount        *uint64     `json:"unit_amount,omitempty"`
	RecurringInterval string      `json:"recurring_interval,omitempty"`
	UpperCount        *uint64     `json:"upper_count,omitempty"`
	MeteringUnitName  string      `json:"metering_unit_name,omitempty"`
	AggregateUsage    string      `json:"aggregate_usage,omitempty"`
	Tiers             *[]wireTier `json:"tiers,omitempty"`
}

// wireRef is an expanded object of which only the id matters.
type wireRef struct {
	ID string `json:"id"`
}

type wireMenu struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Description string    `json:"description"`
	Units       []wireRef `json:"units"`
}

type wirePlan struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Description string    `json:"description"`
	Menus       []wireRef `json:"pricing_menus"`
}

// fetchCatalog reads the SaaS's catalog, in the server's creation order,
// with menus' units and plans' menus by name.
func fetchCatalog(ctx context.Context, c *client) (catalog, error) {
	var meters struct {
		Units []wireMeter `json:"units"`
	}
	var taxRates struct {
		TaxRates []wireTaxRate `json:"tax_rates"`
	}
	var units struct {
		Units []wireUnit `json:"units"`
	}
	var menus struct {
		Menus []wireMenu `json:"pricing_menus"`
	}
	var plans struct {
		Plans []wirePlan `json:"pricing_plans"`
	}
	for _, r := range []struct {
		path string
		out  any
	}{{"/metering/units", &meters}, {"/tax-rates", &taxRates}, {"/units", &units}, {"/menus", &menus}, {"/plans", &plans}} {
		if err := c.do(ctx, "GET", pricingPrefix+r.path, nil, r.out); err != nil {
			return catalog{}, fmt.Errorf("read the catalog: %w", err)
		}
	}
	var cat catalog
	for _, m := range meters.Units {
		cat.Meters = append(cat.Meters, catMeter{ID: m.ID, Name: m.UnitName, DisplayName: m.DisplayName, Description: m.Description, AggregateUsage: m.AggregateUsage})
	}
	for _, r := range taxRates.TaxRates {
		pct, err := pricing.NormalizePercentage(r.Percentage.String())
		if err != nil {
			return catalog{}, fmt.Errorf("read the catalog: tax rate %q: percentage %s %v", r.Name, r.Percentage, err)
		}
		cat.TaxRates = append(cat.TaxRates, catTaxRate{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Percentage: pct,
			Inclusive: r.Inclusive, Country: r.Country, Description: r.Description})
	}
	unitNames := map[string]string{}
	for _, u := range units.Units {
		cat.Units = append(cat.Units, fromWireUnit(u))
		unitNames[u.ID] = u.Name
	}
	menuNames := map[string]string{}
	for _, m := range menus.Menus {
		cm := catMenu{ID: m.ID, Name: m.Name, DisplayName: m.DisplayName, Description: m.Description, Units: []string{}}
		for _, u := range m.Units {
			n, ok := unitNames[u.ID]
			if !ok {
				return catalog{}, fmt.Errorf("read the catalog: menu %q holds unit %s, which the unit list lacks (the catalog changed while it was read: try again)", m.Name, u.ID)
			}
			cm.Units = append(cm.Units, n)
		}
		cat.Menus = append(cat.Menus, cm)
		menuNames[m.ID] = m.Name
	}
	for _, p := range plans.Plans {
		cp := catPlan{ID: p.ID, Name: p.Name, DisplayName: p.DisplayName, Description: p.Description, Menus: []string{}}
		for _, m := range p.Menus {
			n, ok := menuNames[m.ID]
			if !ok {
				return catalog{}, fmt.Errorf("read the catalog: plan %q holds menu %s, which the menu list lacks (the catalog changed while it was read: try again)", p.Name, m.ID)
			}
			cp.Menus = append(cp.Menus, n)
		}
		cat.Plans = append(cat.Plans, cp)
	}
	return cat, nil
}

// fromWireUnit keeps the fields of the unit's type (see catUnit).
func fromWireUnit(u wireUnit) catUnit {
	out := catUnit{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Description: u.Description, Type: u.Type, Currency: u.Currency}
	if u.UnitAmount != nil && (u.Type == "fixed" || u.Type == "usage") {
		out.UnitAmount = *u.UnitAmount
	}
	if u.Type == "fixed" {
		out.RecurringInterval = u.RecurringInterval
		return out
	}
	if u.UpperCount != nil {
		out.UpperCount = *u.UpperCount
	}
	out.MeterName, out.AggregateUsage = u.MeteringUnitName, u.AggregateUsage
	if u.Tiers != nil && u.Type != "usage" {
		out.Tiers = []catTier{}
		for _, t := range *u.Tiers {
			out.Tiers = append(out.Tiers, catTier(t))
		}
	}
	return out
}

// toWireUnit is the body that creates or replaces u.
func toWireUnit(u catUnit) wireUnit {
	out := wireUnit{Name: u.Name, DisplayName: u.DisplayName, Description: u.Description, Type: u.Type, Currency: u.Currency}
	amount, upper := u.UnitAmount, u.UpperCount
	if u.Type == "fixed" {
		out.UnitAmount, out.RecurringInterval = &amount, u.RecurringInterval
		return out
	}
	out.UpperCount, out.MeteringUnitName, out.AggregateUsage = &upper, u.MeterName, u.AggregateUsage
	if u.Type == "usage" {
		out.UnitAmount = &amount
		return out
	}
	tiers := make([]wireTier, len(u.Tiers))
	for i, t := range u.Tiers {
		tiers[i] = wireTier(t)
	}
	out.Tiers = &tiers
	return out
}

// catalogIDs are the server ids of the catalog's objects, by kind and
// name: the server's, and those of the objects created while applying.
type catalogIDs map[string]map[string]string

func newCatalogIDs(server catalog) catalogIDs {
	ids := catalogIDs{}
	for _, s := range sections(server, catalog{}) {
		ids[s.kind] = map[string]string{}
		for _, o := range s.server {
			ids[s.kind][o.name] = o.id
		}
	}
	return ids
}

// lookup maps names of a kind to their ids.
func (ids catalogIDs) lookup(kind string, names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		id, ok := ids[kind][n]
		if !ok {
			return nil, fmt.Errorf("no %s named %q", kind, n)
		}
		out[i] = id
	}
	return out, nil
}

// kindPaths are the collection of each kind under /v1/pricing.
var kindPaths = map[string]string{kindMeter: "/metering/units", kindTaxRate: "/tax-rates", kindUnit: "/units", kindMenu: "/menus", kindPlan: "/plans"}

// applyChange makes one change of the plan on the server, with the
// object the file describes at ch.Index.
func applyChange(ctx context.Context, c *client, ch change, file catalog, ids catalogIDs) error {
	coll := pricingPrefix + kindPaths[ch.Kind]
	if ch.Action == actionDelete {
		return c.do(ctx, "DELETE", coll+"/"+url.PathEscape(ch.ID), nil, nil)
	}
	var body any
	switch ch.Kind {
	case kindMeter:
		m := file.Meters[ch.Index]
		body = wireMeter{UnitName: m.Name, AggregateUsage: m.AggregateUsage, DisplayName: m.DisplayName, Description: m.Description}
	case kindTaxRate:
		r := file.TaxRates[ch.Index]
		if ch.Action == actionUpdate {
			body = map[string]string{"display_name": r.DisplayName, "description": r.Description}
		} else {
			body = wireTaxRate{Name: r.Name, DisplayName: r.DisplayName, Percentage: json.Number(r.Percentage),
				Inclusive: r.Inclusive, Country: r.Country, Description: r.Description}
		}
	case kindUnit:
		body = toWireUnit(file.Units[ch.Index])
	case kindMenu:
		m := file.Menus[ch.Index]
		unitIDs, err := ids.lookup(kindUnit, m.Units)
		if err != nil {
			return err
		}
		body = map[string]any{"name": m.Name, "display_name": m.DisplayName, "description": m.Description, "unit_ids": unitIDs}
	case kindPlan:
		p := file.Plans[ch.Index]
		menuIDs, err := ids.lookup(kindMenu, p.Menus)
		if err != nil {
			return err
		}
		body = map[string]any{"name": p.Name, "display_name": p.DisplayName, "description": p.Description, "menu_ids": menuIDs}
	default:
		return fmt.Errorf("unknown kind %q", ch.Kind)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if ch.Action == actionUpdate {
		return c.do(ctx, "PATCH", coll+"/"+url.PathEscape(ch.ID), b, nil)
	}
	var created wireRef
	if err := c.do(ctx, "POST", coll, b, &created); err != nil {
		return err
	}
	if created.ID == "" {
		return fmt.Errorf("POST %s: the answer has no id", coll)
	}
	ids[ch.Kind][ch.Name] = created.ID
	return nil
}
