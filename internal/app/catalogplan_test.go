package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// planLines renders a plan one change a line: "action kind name", then
// the changed fields or the note.
func planLines(p catalogPlan) []string {
	out := []string{}
	for _, c := range p.Changes {
		l := c.Action + " " + c.Kind + " " + c.Name
		if d := describeChange(c); d != "" {
			l += ": " + d
		}
		out = append(out, l)
	}
	return out
}

func problemLines(ps []problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Path+": "+p.Msg)
	}
	return out
}

// sampleCatalog is a file's catalog with one object of each kind and one
// unit of each type.
func sampleCatalog() catalog {
	return catalog{
		Meters:   []catMeter{{Name: "calls", DisplayName: "Calls", Description: "API calls"}, {Name: "seats", DisplayName: "Seats", AggregateUsage: "max"}},
		TaxRates: []catTaxRate{{Name: "jct", DisplayName: "JCT", Percentage: "10", Country: "JP"}},
		Units: []catUnit{
			{Name: "base", DisplayName: "Base", Type: "fixed", Currency: "JPY", UnitAmount: 1000, RecurringInterval: "month"},
			{Name: "calls_fee", DisplayName: "API calls", Type: "usage", Currency: "JPY", UnitAmount: 3, MeterName: "calls"},
			{Name: "seats_fee", DisplayName: "Seats", Type: "tiered_usage", Currency: "JPY", MeterName: "seats",
				Tiers: []catTier{{UpTo: 10, UnitAmount: 100}, {UpTo: 20, UnitAmount: 90, FlatAmount: 500}, {Inf: true, UnitAmount: 70}}},
		},
		Menus: []catMenu{{Name: "standard", DisplayName: "Standard", Units: []string{"base", "calls_fee", "seats_fee"}}},
		Plans: []catPlan{{Name: "pro", DisplayName: "Pro", Menus: []string{"standard"}}},
	}
}

// onServer gives every object of c an id, as the server's catalog has.
func onServer(c catalog) catalog {
	c = clone(c)
	for i := range c.Meters {
		c.Meters[i].ID = "meter-" + c.Meters[i].Name
	}
	for i := range c.TaxRates {
		c.TaxRates[i].ID = "tax-" + c.TaxRates[i].Name
	}
	for i := range c.Units {
		c.Units[i].ID = "unit-" + c.Units[i].Name
	}
	for i := range c.Menus {
		c.Menus[i].ID = "menu-" + c.Menus[i].Name
	}
	for i := range c.Plans {
		c.Plans[i].ID = "plan-" + c.Plans[i].Name
	}
	return c
}

// clone copies c deeply enough for a test to change the copy.
func clone(c catalog) catalog {
	out := catalog{Meters: slices.Clone(c.Meters), TaxRates: slices.Clone(c.TaxRates), Units: slices.Clone(c.Units),
		Menus: slices.Clone(c.Menus), Plans: slices.Clone(c.Plans)}
	for i := range out.Units {
		out.Units[i].Tiers = slices.Clone(out.Units[i].Tiers)
	}
	for i := range out.Menus {
		out.Menus[i].Units = slices.Clone(out.Menus[i].Units)
	}
	for i := range out.Plans {
		out.Plans[i].Menus = slices.Clone(out.Plans[i].Menus)
	}
	return out
}

func TestPlanCatalog(t *testing.T) {
	sample := sampleCatalog()
	edit := func(f func(*catalog)) catalog {
		c := clone(sample)
		f(&c)
		return c
	}
	// unchangedBut is the plan of sample against itself, with the lines
	// about the same objects replaced.
	unchangedBut := func(lines ...string) []string {
		var out []string
		for _, l := range []string{"unchanged meter calls", "unchanged meter seats", "unchanged tax_rate jct", "unchanged unit base",
			"unchanged unit calls_fee", "unchanged unit seats_fee", "unchanged menu standard", "unchanged plan pro"} {
			kind, name := strings.Fields(l)[1], strings.Fields(l)[2]
			replaced := false
			for _, r := range lines {
				if f := strings.Fields(r); f[1] == kind && strings.TrimSuffix(f[2], ":") == name {
					out, replaced = append(out, r), true
				}
			}
			if !replaced {
				out = append(out, l)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		server, file catalog
		prune        bool
		want         []string
	}{
		{
			name: "an empty server: everything is created, in dependency order",
			file: catalog{ // sections listed in the file in any order still come out meters first
				Plans:  sample.Plans,
				Menus:  sample.Menus,
				Units:  sample.Units,
				Meters: sample.Meters, TaxRates: sample.TaxRates,
			},
			want: []string{"create meter calls", "create meter seats", "create tax_rate jct", "create unit base", "create unit calls_fee",
				"create unit seats_fee", "create menu standard", "create plan pro"},
		},
		{
			name:   "the same catalog: nothing changes",
			server: onServer(sample), file: sample,
			want: unchangedBut(),
		},
		{
			name:   "the same catalog with prune: nothing changes either",
			server: onServer(sample), file: sample, prune: true,
			want: unchangedBut(),
		},
		{
			name:   "texts of each kind",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.Meters[0].DisplayName = "Requests"
				c.TaxRates[0].Description = "consumption tax"
				c.Units[0].Description = "line one\nline two"
				c.Menus[0].DisplayName = "Std"
				c.Plans[0].Description = "the pro plan"
			}),
			want: unchangedBut(`update meter calls: display_name: "Calls" → "Requests"`,
				`update tax_rate jct: description: "" → "consumption tax"`,
				`update unit base: description: "" → "line one\nline two"`,
				`update menu standard: display_name: "Standard" → "Std"`,
				`update plan pro: description: "" → "the pro plan"`),
		},
		{
			name:   "prices, counts, meters and aggregation of units",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.Units[0].UnitAmount, c.Units[0].RecurringInterval = 12000, "year"
				c.Units[1].UnitAmount, c.Units[1].UpperCount, c.Units[1].MeterName, c.Units[1].AggregateUsage = 4, 5000, "seats", "max"
				c.Units[2].Tiers[1].FlatAmount = 0
				c.Units[2].Currency = "USD"
			}),
			want: unchangedBut(`update unit base: unit_amount: 1000 → 12000; recurring_interval: month → year`,
				`update unit calls_fee: unit_amount: 3 → 4; upper_count: 0 → 5000; metering_unit_name: "calls" → "seats"; aggregate_usage: (none) → "max"`,
				`update unit seats_fee: currency: JPY → USD; tiers: [10: 100, 20: 90+500, inf: 70] → [10: 100, 20: 90, inf: 70]`),
		},
		{
			name:   "a unit's type: the fields of the old type go, those of the new come",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.Units[0] = catUnit{Name: "base", DisplayName: "Base", Type: "tiered", Currency: "JPY", MeterName: "seats",
					Tiers: []catTier{{UpTo: 5, UnitAmount: 1}, {Inf: true, UpTo: 9, UnitAmount: 2}}}
			}),
			want: unchangedBut(`update unit base: type: fixed → tiered; upper_count: (none) → 0; metering_unit_name: (none) → "seats"; ` +
				`tiers: (none) → [5: 1, inf(up_to 9): 2]; unit_amount: 1000 → (none); recurring_interval: month → (none)`),
		},
		{
			name:   "a meter's aggregation, set and removed",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.Meters[0].AggregateUsage = "sum"
				c.Meters[1].AggregateUsage = ""
			}),
			want: unchangedBut(`update meter calls: aggregate_usage: (none) → "sum"`, `update meter seats: aggregate_usage: "max" → (none)`),
		},
		{
			name:   "the order of a menu's units and of a plan's menus",
			server: onServer(edit(func(c *catalog) { c.Menus = append(c.Menus, catMenu{Name: "extra"}) })),
			file: edit(func(c *catalog) {
				c.Menus[0].Units = []string{"seats_fee", "base"}
				c.Menus = append(c.Menus, catMenu{Name: "extra"})
				c.Plans[0].Menus = []string{"extra", "standard"}
			}),
			want: []string{"unchanged meter calls", "unchanged meter seats", "unchanged tax_rate jct", "unchanged unit base",
				"unchanged unit calls_fee", "unchanged unit seats_fee",
				`update menu standard: units: ["base", "calls_fee", "seats_fee"] → ["seats_fee", "base"]`, "unchanged menu extra",
				`update plan pro: menus: ["standard"] → ["extra", "standard"]`},
		},
		{
			name:   "prune deletes what the file lacks, plans first, and keeps tax rates",
			server: onServer(sample),
			file:   catalog{Meters: sample.Meters[:1], TaxRates: nil, Units: sample.Units[1:2], Menus: []catMenu{{Name: "standard", DisplayName: "Standard", Units: []string{"calls_fee"}}}},
			prune:  true,
			want: []string{"unchanged meter calls", "unchanged unit calls_fee", `update menu standard: units: ["base", "calls_fee", "seats_fee"] → ["calls_fee"]`,
				"delete plan pro", "delete unit base", "delete unit seats_fee", "keep tax_rate jct: " + noteTaxRateKept, "delete meter seats"},
		},
		{
			name:   "without prune, what the file lacks is kept",
			server: onServer(sample),
			file:   catalog{Meters: sample.Meters[:1]},
			want: []string{"unchanged meter calls", "keep plan pro: " + noteNotInFile, "keep menu standard: " + noteNotInFile,
				"keep unit base: " + noteNotInFile, "keep unit calls_fee: " + noteNotInFile, "keep unit seats_fee: " + noteNotInFile,
				"keep tax_rate jct: " + noteTaxNotInFile, "keep meter seats: " + noteNotInFile},
		},
		{
			name:   "a rename is a create, and with prune a delete after the updates",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.Meters[0].Name = "requests"
				c.Units[1].MeterName = "requests"
			}),
			prune: true,
			want: []string{"create meter requests", "unchanged meter seats", "unchanged tax_rate jct", "unchanged unit base",
				`update unit calls_fee: metering_unit_name: "calls" → "requests"`, "unchanged unit seats_fee", "unchanged menu standard",
				"unchanged plan pro", "delete meter calls"},
		},
		{
			name:   "a used object's price change is planned: the server, not the plan, refuses it",
			server: onServer(sample), // the catalog model has no used flag at all
			file:   edit(func(c *catalog) { c.Units[1].UnitAmount = 5 }),
			want:   unchangedBut(`update unit calls_fee: unit_amount: 3 → 5`),
		},
		{
			name:   "a tax rate renamed is created; the old one cannot go",
			server: onServer(sample),
			file: edit(func(c *catalog) {
				c.TaxRates[0] = catTaxRate{Name: "jct2026", DisplayName: "JCT", Percentage: "8.5", Country: "JP"}
			}),
			prune: true,
			want: []string{"unchanged meter calls", "unchanged meter seats", "create tax_rate jct2026", "unchanged unit base",
				"unchanged unit calls_fee", "unchanged unit seats_fee", "unchanged menu standard", "unchanged plan pro",
				"keep tax_rate jct: " + noteTaxRateKept},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ps := planCatalog(tc.server, tc.file, tc.prune)
			if len(ps) > 0 {
				t.Fatalf("problems: %q", problemLines(ps))
			}
			if got := planLines(p); !slices.Equal(got, tc.want) {
				t.Errorf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			for _, c := range p.Changes {
				if (c.Action == actionUpdate || c.Action == actionDelete || c.Action == actionUnchanged || c.Action == actionKeep) && c.ID == "" {
					t.Errorf("%s %s %s has no server id", c.Action, c.Kind, c.Name)
				}
				if c.Action != actionUnchanged && c.Action != actionKeep && c.Action != actionDelete && c.Index < 0 {
					t.Errorf("%s %s %s has no file index", c.Action, c.Kind, c.Name)
				}
			}
		})
	}
}

// A field absent on both sides (aggregate_usage of a fixed unit and of a
// usage unit without it) is no change.
func TestDiffFieldsSkipsEqualAbsentFields(t *testing.T) {
	from := catUnit{Type: "fixed", Currency: "JPY", UnitAmount: 1, RecurringInterval: "month"}.fields()
	to := catUnit{Type: "usage", Currency: "JPY", UnitAmount: 1, MeterName: "m"}.fields()
	got := fmt.Sprint(diffFields(from, to))
	want := `[{type fixed usage} {upper_count (none) 0} {metering_unit_name (none) "m"} {recurring_interval month (none)}]`
	if got != want {
		t.Errorf("diffFields = %s, want %s", got, want)
	}
}

func TestPlanCatalogProblems(t *testing.T) {
	sample := sampleCatalog()
	for _, tc := range []struct {
		name         string
		server, file catalog
		prune        bool
		want         []string
	}{
		{
			name: "references to names nowhere",
			file: catalog{
				Units: []catUnit{{Name: "u", Type: "usage", Currency: "JPY", MeterName: "nope"}},
				Menus: []catMenu{{Name: "m", Units: []string{"u", "ghost"}}},
				Plans: []catPlan{{Name: "p", Menus: []string{"phantom"}}},
			},
			want: []string{`units[0].metering_unit_name: no meter named "nope" in the file or on the server`,
				`menus[0].units[1]: no pricing unit named "ghost" in the file or on the server`,
				`plans[0].menus[0]: no menu named "phantom" in the file or on the server`},
		},
		{
			name:   "references to the server's objects: fine without prune",
			server: onServer(sample),
			file:   catalog{Plans: []catPlan{{Name: "basic", Menus: []string{"standard"}}}},
		},
		{
			name:   "references to the server's objects: refused with prune, which would delete them",
			server: onServer(sample),
			file:   catalog{Plans: []catPlan{{Name: "basic", Menus: []string{"standard"}}}},
			prune:  true,
			want:   []string{`plans[0].menus[0]: menu "standard" is only on the server, and --prune would delete it: add it to the file`},
		},
		{
			name:   "a tax rate's fixed fields",
			server: onServer(sample),
			file: func() catalog {
				c := clone(sample)
				c.TaxRates[0].Percentage, c.TaxRates[0].Inclusive, c.TaxRates[0].DisplayName = "8", true, "VAT"
				return c
			}(),
			want: []string{
				`tax_rates[0].percentage: tax rate "jct" has percentage 10 on the server, and the API cannot change a tax rate's percentage, inclusive or country: give the new rate another name`,
				`tax_rates[0].inclusive: tax rate "jct" has inclusive false on the server, and the API cannot change a tax rate's percentage, inclusive or country: give the new rate another name`},
		},
		{
			name: "names the server holds twice",
			server: catalog{Units: []catUnit{{ID: "u1", Name: "dup", Type: "fixed", Currency: "JPY", RecurringInterval: "month"},
				{ID: "u2", Name: "dup", Type: "fixed", Currency: "JPY", RecurringInterval: "month"}}},
			want: []string{`: the server has 2 pricing units named "dup" (ids u1, u2): a catalog file names objects by name, so rename or delete all but one of them first`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := planCatalog(tc.server, tc.file, tc.prune)
			if got := problemLines(ps); !slices.Equal(got, append([]string{}, tc.want...)) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
