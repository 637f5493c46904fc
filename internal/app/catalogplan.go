package app

import (
	"fmt"
	"strconv"
	"strings"
)

// catalog is the pricing catalog of one SaaS, by names: what a catalog
// file describes, and what a server holds (then with the objects' ids).
// Lists keep their order: the file's, or the server's creation order.
type catalog struct {
	Meters   []catMeter
	TaxRates []catTaxRate
	Units    []catUnit
	Menus    []catMenu
	Plans    []catPlan
}

// catMeter is a meter; Name is its unit_name.
type catMeter struct {
	ID, Name, DisplayName, Description string
	AggregateUsage                     string // "", sum or max: absent is kept apart from sum, as the server does
}

// catTaxRate is a tax rate. Percentage is exact decimal text in its
// shortest form ("8.5", never 8.50 or a float).
type catTaxRate struct {
	ID, Name, DisplayName, Percentage string
	Inclusive                         bool
	Country, Description              string
}

// catUnit is a pricing unit. Only the fields of its Type are set: fixed
// units have UnitAmount and RecurringInterval; metered units (usage,
// tiered, tiered_usage) have UpperCount, MeterName, AggregateUsage and
// UnitAmount (usage) or Tiers (tiered ones). Metered units are always
// billed monthly, so their RecurringInterval stays empty.
type catUnit struct {
	ID, Name, DisplayName, Description string
	Type, Currency                     string
	UnitAmount                         uint64
	RecurringInterval                  string
	UpperCount                         uint64
	MeterName, AggregateUsage          string
	Tiers                              []catTier
}

// catTier is one tier of a tiered unit.
type catTier struct {
	UpTo, UnitAmount, FlatAmount uint64
	Inf                          bool
}

// catMenu is a menu; Units are unit names, in order.
type catMenu struct {
	ID, Name, DisplayName, Description string
	Units                              []string
}

// catPlan is a plan; Menus are menu names, in order.
type catPlan struct {
	ID, Name, DisplayName, Description string
	Menus                              []string
}

// The kinds of catalog objects, as the plan names them.
const (
	kindMeter   = "meter"
	kindTaxRate = "tax_rate"
	kindUnit    = "unit"
	kindMenu    = "menu"
	kindPlan    = "plan"
)

// What the plan does with an object.
const (
	actionCreate    = "create"
	actionUpdate    = "update"
	actionDelete    = "delete"
	actionUnchanged = "unchanged"
	actionKeep      = "keep" // on the server, not in the file, and not deleted
)

// Notes of keep changes.
const (
	noteNotInFile    = "not in the file (--prune deletes it)"
	noteTaxRateKept  = "kept (the API cannot delete tax rates)"
	noteTaxNotInFile = "not in the file; kept (the API cannot delete tax rates)"
)

// catalogPlan is what applying a file does, in the order it is done:
// creates and updates in dependency order (meters, tax rates, units,
// menus, plans), each kind in the file's order, then deletes in the
// reverse order (plans, menus, units, meters), each kind in the server's.
type catalogPlan struct {
	Changes []change
}

// change is one object's line of the plan. Index is the object's position
// in the file (create, update, unchanged), ID its server id (update,
// delete, unchanged, keep).
type change struct {
	Action string        `json:"action"`
	Kind   string        `json:"kind"`
	Name   string        `json:"name"`
	Fields []fieldChange `json:"fields,omitempty"`
	Note   string        `json:"note,omitempty"`
	Status string        `json:"status,omitempty"`
	Error  string        `json:"error,omitempty"`
	Index  int           `json:"-"`
	ID     string        `json:"-"`
}

// fieldChange is one field an update changes, both values rendered as
// by field: strings quoted, absent values as (none).
type fieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// writes reports whether the change calls the API.
func (c change) writes() bool {
	return c.Action == actionCreate || c.Action == actionUpdate || c.Action == actionDelete
}

// count returns how many changes have the action.
func (p catalogPlan) count(action string) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

// writes returns how many changes call the API.
func (p catalogPlan) writes() int {
	return p.count(actionCreate) + p.count(actionUpdate) + p.count(actionDelete)
}

// problem is something wrong with a catalog file or with the server's
// catalog for it: Path names the place in the file ("units[2].tiers[0]"),
// or is empty when the problem is the server's.
type problem struct {
	Path, Msg string
}

// field is one compared field of an object, its value rendered so that
// two values are equal exactly when their renderings are.
type field struct{ name, value string }

const none = "(none)"

func quote(s string) string { return strconv.Quote(s) }
func num(n uint64) string   { return strconv.FormatUint(n, 10) }
func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// optional renders an optional text field: absent when empty.
func optional(s string) string {
	if s == "" {
		return none
	}
	return quote(s)
}

func (m catMeter) fields() []field {
	return []field{{"display_name", quote(m.DisplayName)}, {"description", quote(m.Description)}, {"aggregate_usage", optional(m.AggregateUsage)}}
}

func (r catTaxRate) fields() []field {
	return []field{{"display_name", quote(r.DisplayName)}, {"description", quote(r.Description)},
		{"percentage", r.Percentage}, {"inclusive", strconv.FormatBool(r.Inclusive)}, {"country", quote(r.Country)}}
}

// taxRateFixed are the fields of a tax rate the API cannot change.
var taxRateFixed = map[string]bool{"percentage": true, "inclusive": true, "country": true}

// metered reports whether a unit type counts with a meter.
func metered(typ string) bool { return typ == "usage" || typ == "tiered" || typ == "tiered_usage" }

func (u catUnit) fields() []field {
	fs := []field{{"display_name", quote(u.DisplayName)}, {"description", quote(u.Description)},
		{"type", u.Type}, {"currency", u.Currency}}
	if u.Type == "fixed" || u.Type == "usage" {
		fs = append(fs, field{"unit_amount", num(u.UnitAmount)})
	}
	if u.Type == "fixed" {
		fs = append(fs, field{"recurring_interval", u.RecurringInterval})
	}
	if metered(u.Type) {
		fs = append(fs, field{"upper_count", num(u.UpperCount)}, field{"metering_unit_name", quote(u.MeterName)},
			field{"aggregate_usage", optional(u.AggregateUsage)})
	}
	if u.Type == "tiered" || u.Type == "tiered_usage" {
		fs = append(fs, field{"tiers", renderTiers(u.Tiers)})
	}
	return fs
}

// renderTiers writes tiers compactly: "[10: 100, 20: 90+500, inf: 70]"
// is up to 10 at 100 each, up to 20 at 90 each plus a flat 500, and above
// at 70. An open-ended tier with an up_to other than 0 (the API keeps
// it, and ignores it) shows it: "inf(up_to 5): 70".
func renderTiers(ts []catTier) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		bound := num(t.UpTo)
		if t.Inf {
			bound = "inf"
			if t.UpTo != 0 {
				bound = "inf(up_to " + num(t.UpTo) + ")"
			}
		}
		parts[i] = bound + ": " + num(t.UnitAmount)
		if t.FlatAmount != 0 {
			parts[i] += "+" + num(t.FlatAmount)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (m catMenu) fields() []field {
	return []field{{"display_name", quote(m.DisplayName)}, {"description", quote(m.Description)}, {"units", quoteList(m.Units)}}
}

func (p catPlan) fields() []field {
	return []field{{"display_name", quote(p.DisplayName)}, {"description", quote(p.Description)}, {"menus", quoteList(p.Menus)}}
}

// diffFields lists the fields whose values differ, in to's order and then
// the fields only from has.
func diffFields(from, to []field) []fieldChange {
	old := make(map[string]string, len(from))
	for _, f := range from {
		old[f.name] = f.value
	}
	var out []fieldChange
	seen := map[string]bool{}
	for _, f := range to {
		seen[f.name] = true
		v, ok := old[f.name]
		if !ok {
			v = none
		}
		if v != f.value {
			out = append(out, fieldChange{f.name, v, f.value})
		}
	}
	for _, f := range from {
		if !seen[f.name] {
			out = append(out, fieldChange{f.name, f.value, none})
		}
	}
	return out
}

// object is what the plan needs of a catalog object of any kind.
type object struct {
	id, name string
	fields   []field
}

// objects lists the catalog objects of one kind for the plan.
func objects[T interface {
	ident() (id, name string)
	fields() []field
}](xs []T) []object {
	out := make([]object, len(xs))
	for i, x := range xs {
		id, name := x.ident()
		out[i] = object{id, name, x.fields()}
	}
	return out
}

func (m catMeter) ident() (string, string)   { return m.ID, m.Name }
func (r catTaxRate) ident() (string, string) { return r.ID, r.Name }
func (u catUnit) ident() (string, string)    { return u.ID, u.Name }
func (m catMenu) ident() (string, string)    { return m.ID, m.Name }
func (p catPlan) ident() (string, string)    { return p.ID, p.Name }

// section is one kind of object in the file and on the server.
type section struct {
	kind, key, nameField string // key: the file's section ("units"); nameField: "name" or "unit_name"
	what                 string // how people call the kind: "pricing unit"
	file, server         []object
}

// sections returns the catalog's kinds in dependency order.
func sections(server, file catalog) []section {
	return []section{
		{kindMeter, "meters", "unit_name", "meter", objects(file.Meters), objects(server.Meters)},
		{kindTaxRate, "tax_rates", "name", "tax rate", objects(file.TaxRates), objects(server.TaxRates)},
		{kindUnit, "units", "name", "pricing unit", objects(file.Units), objects(server.Units)},
		{kindMenu, "menus", "name", "menu", objects(file.Menus), objects(server.Menus)},
		{kindPlan, "plans", "name", "plan", objects(file.Plans), objects(server.Plans)},
	}
}

// serverDuplicates reports the names the server holds more than once in
// a kind (pricing unit, menu and plan names are not unique there): a
// catalog file cannot say which object it means.
func serverDuplicates(server catalog) []problem {
	var ps []problem
	for _, s := range sections(server, catalog{}) {
		ids := map[string][]string{}
		var order []string
		for _, o := range s.server {
			if ids[o.name] == nil {
				order = append(order, o.name)
			}
			ids[o.name] = append(ids[o.name], o.id)
		}
		for _, name := range order {
			if len(ids[name]) > 1 {
				ps = append(ps, problem{"", fmt.Sprintf("the server has %d %ss named %q (ids %s): a catalog file names objects by name, so rename or delete all but one of them first",
					len(ids[name]), s.what, name, strings.Join(ids[name], ", "))})
			}
		}
	}
	return ps
}

// planCatalog computes what applying file to a server holding server does.
// With prune, server objects the file does not name are deleted (tax
// rates are kept: the API cannot delete them); without, they are kept.
// An object is matched by name, so a renamed object is deleted (with
// prune) and created. The plan does not predict what the server refuses
// for its own state (a used or still-referenced object): applying stops
// there. The problems are what makes the file inapplicable before any
// call: names the server holds twice, references to names neither the
// file nor (without prune) the server has, and changes to a tax rate's
// fixed fields.
func planCatalog(server, file catalog, prune bool) (catalogPlan, []problem) {
	ps := serverDuplicates(server)
	ps = append(ps, checkReferences(server, file, prune)...)
	var creates, deletes []change
	secs := sections(server, file)
	for _, s := range secs {
		onServer := make(map[string]object, len(s.server))
		for _, o := range s.server {
			onServer[o.name] = o
		}
		for i, o := range s.file {
			old, ok := onServer[o.name]
			if !ok {
				creates = append(creates, change{Action: actionCreate, Kind: s.kind, Name: o.name, Index: i})
				continue
			}
			fcs := diffFields(old.fields, o.fields)
			if s.kind == kindTaxRate {
				for _, fc := range fcs {
					if taxRateFixed[fc.Field] {
						ps = append(ps, problem{fmt.Sprintf("%s[%d].%s", s.key, i, fc.Field), fmt.Sprintf(
							"tax rate %q has %s %s on the server, and the API cannot change a tax rate's percentage, inclusive or country: give the new rate another name",
							o.name, fc.Field, fc.From)})
					}
				}
			}
			action := actionUpdate
			if len(fcs) == 0 {
				action = actionUnchanged
			}
			creates = append(creates, change{Action: action, Kind: s.kind, Name: o.name, Fields: fcs, Index: i, ID: old.id})
		}
	}
	for k := len(secs) - 1; k >= 0; k-- {
		s := secs[k]
		inFile := make(map[string]bool, len(s.file))
		for _, o := range s.file {
			inFile[o.name] = true
		}
		for _, o := range s.server {
			if inFile[o.name] {
				continue
			}
			c := change{Action: actionKeep, Kind: s.kind, Name: o.name, ID: o.id, Index: -1, Note: noteNotInFile}
			switch {
			case s.kind == kindTaxRate && prune:
				c.Note = noteTaxRateKept
			case s.kind == kindTaxRate:
				c.Note = noteTaxNotInFile
			case prune:
				c.Action, c.Note = actionDelete, ""
			}
			deletes = append(deletes, c)
		}
	}
	return catalogPlan{Changes: append(creates, deletes...)}, ps
}

// checkReferences reports the names a file's units, menus and plans refer
// to that are not in the file and, unless pruning, not on the server.
func checkReferences(server, file catalog, prune bool) []problem {
	var ps []problem
	has := func(fileNames, serverNames []string) func(string) (bool, bool) {
		f, s := map[string]bool{}, map[string]bool{}
		for _, n := range fileNames {
			f[n] = true
		}
		for _, n := range serverNames {
			s[n] = true
		}
		return func(n string) (inFile, onServer bool) { return f[n], s[n] }
	}
	ref := func(path, what, name string, lookup func(string) (bool, bool)) {
		inFile, onServer := lookup(name)
		switch {
		case name == "" || inFile: // a missing name is the file's own problem
		case onServer && !prune:
		case onServer:
			ps = append(ps, problem{path, fmt.Sprintf("%s %q is only on the server, and --prune would delete it: add it to the file", what, name)})
		default:
			ps = append(ps, problem{path, fmt.Sprintf("no %s named %q in the file or on the server", what, name)})
		}
	}
	meters := has(names(objects(file.Meters)), names(objects(server.Meters)))
	for i, u := range file.Units {
		if metered(u.Type) {
			ref(fmt.Sprintf("units[%d].metering_unit_name", i), "meter", u.MeterName, meters)
		}
	}
	units := has(names(objects(file.Units)), names(objects(server.Units)))
	for i, m := range file.Menus {
		for j, u := range m.Units {
			ref(fmt.Sprintf("menus[%d].units[%d]", i, j), "pricing unit", u, units)
		}
	}
	menus := has(names(objects(file.Menus)), names(objects(server.Menus)))
	for i, p := range file.Plans {
		for j, m := range p.Menus {
			ref(fmt.Sprintf("plans[%d].menus[%d]", i, j), "menu", m, menus)
		}
	}
	return ps
}

func names(os []object) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.name
	}
	return out
}
