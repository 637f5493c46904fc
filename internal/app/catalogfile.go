package app

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// catalogFileVersion is the version of the catalog file format this
// binary reads and writes (docs/catalog-file.md).
const catalogFileVersion = 1

// The keys of a catalog file, per level.
var (
	fileKeys      = []string{"version", "meters", "tax_rates", "units", "menus", "plans"}
	fileMeterKeys = []string{"unit_name", "display_name", "description", "aggregate_usage"}
	fileTaxKeys   = []string{"name", "display_name", "percentage", "inclusive", "country", "description"}
	fileUnitKeys  = []string{"name", "display_name", "description", "type", "currency", "unit_amount", "recurring_interval",
		"upper_count", "metering_unit_name", "aggregate_usage", "tiers"}
	fileTierKeys = []string{"up_to", "unit_amount", "flat_amount", "inf"}
	fileMenuKeys = []string{"name", "display_name", "description", "units"}
	filePlanKeys = []string{"name", "display_name", "description", "menus"}
)

// unitTypeKeys are the type-specific keys each unit type takes; the
// others of them are refused on that type (the server would ignore them,
// and a file that says what it does not mean is a mistake).
var unitTypeKeys = map[string][]string{
	"fixed":        {"unit_amount", "recurring_interval"},
	"usage":        {"unit_amount", "upper_count", "metering_unit_name", "aggregate_usage"},
	"tiered":       {"upper_count", "metering_unit_name", "aggregate_usage", "tiers"},
	"tiered_usage": {"upper_count", "metering_unit_name", "aggregate_usage", "tiers"},
}

// fileSource is where a parsed catalog came from: the file's name and the
// line of each path in it, for messages.
type fileSource struct {
	name  string
	lines map[string]int
}

// line is the line of path or, when it has none, of its nearest parent;
// 0 when unknown.
func (s *fileSource) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := s.lines[p]; ok {
			return l
		}
	}
	return 0
}

// where prefixes a message about path with the file and the line.
func (s *fileSource) where(path string) string {
	if l := s.line(path); l > 0 {
		return fmt.Sprintf("%s:%d: %s", s.name, l, path)
	}
	return s.name + ": " + path
}

// parentPath drops the last element of a path: "units[2].tiers[0]" ->
// "units[2].tiers" -> "units[2]" -> "units" -> "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// fileError is every problem found in a catalog file, or with applying
// it to the server's catalog, each reported with its line.
type fileError struct {
	src      *fileSource
	problems []problem
}

func (e *fileError) Error() string {
	lines := e.lines()
	n := "1 problem"
	if len(lines) != 1 {
		n = fmt.Sprintf("%d problems", len(lines))
	}
	return fmt.Sprintf("%s: %s, nothing was changed:\n  %s", e.src.name, n, strings.Join(lines, "\n  "))
}

// lines formats the problems with the file's lines, in the file's order
// (the server's problems first).
func (e *fileError) lines() []string {
	ps := slices.Clone(e.problems)
	slices.SortStableFunc(ps, func(a, b problem) int { return cmp.Compare(e.src.line(a.Path), e.src.line(b.Path)) })
	out := make([]string, len(ps))
	for i, p := range ps {
		if p.Path == "" {
			out[i] = p.Msg
		} else {
			out[i] = e.src.where(p.Path) + ": " + p.Msg
		}
	}
	return out
}

// problemsError is the error of problems in the file of s; nil when none.
func (s *fileSource) problemsError(ps []problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &fileError{src: s, problems: ps}
}

// parseCatalogFile reads a catalog file, named name in messages, and
// checks everything that can be checked without the server: the format
// (unknown or repeated keys, types, required fields, the fields of each
// unit type), the server's rules for each object, and names repeated in
// a section. It reports every problem it finds, each with its line, as a
// *fileError; the catalog holds what could be read all the same. Other
// errors (YAML syntax) come with no catalog.
func parseCatalogFile(name string, data []byte) (catalog, *fileSource, error) {
	src := &fileSource{name: name, lines: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return catalog{}, src, src.problemsError([]problem{{"", "the file is empty: a catalog file starts with version: 1"}})
		}
		return catalog{}, src, fmt.Errorf("%s: %w", name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return catalog{}, src, src.problemsError([]problem{{"", "the file holds more than one YAML document"}})
	}
	d := &fileDecoder{src: src}
	cat := d.catalog(doc.Content[0])
	d.duplicates(cat)
	return cat, src, src.problemsError(d.problems)
}

// fileDecoder turns the YAML nodes of a catalog file into a catalog,
// collecting problems rather than stopping at the first.
type fileDecoder struct {
	src      *fileSource
	problems []problem
	reported map[string]bool // paths with a problem already, or missing
}

func (d *fileDecoder) fail(path, format string, args ...any) {
	d.problems = append(d.problems, problem{path, fmt.Sprintf(format, args...)})
	d.mark(path)
}

// mark records that path has a problem, so the server's rules do not
// report it a second time.
func (d *fileDecoder) mark(path string) {
	if d.reported == nil {
		d.reported = map[string]bool{}
	}
	d.reported[path] = true
}

// require reports a missing required key of the object at path.
func (d *fileDecoder) require(path, key string) {
	d.problems = append(d.problems, problem{path, key + " is required"})
	d.mark(join(path, key))
}

// at records the line of path and resolves aliases.
func (d *fileDecoder) at(n *yaml.Node, path string) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if _, ok := d.src.lines[path]; !ok && path != "" {
		d.src.lines[path] = n.Line
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping returns the values of a mapping by key, reporting a node that
// is no mapping, unknown keys and repeated keys.
func (d *fileDecoder) mapping(n *yaml.Node, path string, known []string) map[string]*yaml.Node {
	n = d.at(n, path)
	what := path
	if what == "" {
		what = "the file"
	}
	if n.Kind != yaml.MappingNode {
		d.fail(path, "%s must be a mapping of keys to values", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.at(n.Content[i], ""), n.Content[i+1]
		key := k.Value
		p := join(path, key)
		d.src.lines[p] = k.Line
		switch {
		case !contains(known, key):
			d.fail(p, "unknown key %q; %s takes %s", key, what, strings.Join(known, ", "))
		case out[key] != nil:
			d.fail(p, "the key %q is given twice", key)
		default:
			out[key] = v
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// list returns the items of a sequence; a missing or null value is empty.
func (d *fileDecoder) list(n *yaml.Node, path string) []*yaml.Node {
	if n == nil {
		return nil
	}
	n = d.at(n, path)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(path, "must be a list")
		return nil
	}
	return n.Content
}

// text returns a scalar as written; a missing or null value is "" and,
// when required, a problem.
func (d *fileDecoder) text(m map[string]*yaml.Node, path, key string, required bool) string {
	n, p := m[key], join(path, key)
	if n == nil || isNull(d.at(n, p)) {
		if required {
			d.require(path, key)
		}
		return ""
	}
	n = d.at(n, p)
	if n.Kind != yaml.ScalarNode {
		d.fail(p, "must be text")
		return ""
	}
	return n.Value
}

// wholeNumber is how an amount is written: decimal digits, nothing else
// (yaml.v3 would read 2.5 into an integer as 2, so amounts never go
// through its conversions).
var wholeNumber = regexp.MustCompile(`^[0-9]+$`)

// amount returns a non-negative integer amount and whether it was given.
func (d *fileDecoder) amount(m map[string]*yaml.Node, path, key string, required bool) (uint64, bool) {
	n, p := m[key], join(path, key)
	if n == nil || isNull(d.at(n, p)) {
		if required {
			d.require(path, key)
		}
		return 0, false
	}
	n = d.at(n, p)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && wholeNumber.MatchString(n.Value) {
		if v, err := strconv.ParseUint(n.Value, 10, 64); err == nil && v <= math.MaxInt64 {
			return v, true
		}
	}
	d.fail(p, "must be a whole number from 0 to %d (amounts are in the currency's smallest unit), not %s", int64(math.MaxInt64), shown(n))
	return 0, true
}

// boolean returns true or false and whether it was given.
func (d *fileDecoder) boolean(m map[string]*yaml.Node, path, key string, required bool) (bool, bool) {
	n, p := m[key], join(path, key)
	if n == nil || isNull(d.at(n, p)) {
		if required {
			d.require(path, key)
		}
		return false, false
	}
	n = d.at(n, p)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.fail(p, "must be true or false, not %s", shown(n))
	}
	return b, true
}

// percentage returns a tax percentage as exact decimal text in its
// shortest form; it may be written as a number (8.5) or as text ("8.5"),
// and is never read as a float.
func (d *fileDecoder) percentage(m map[string]*yaml.Node, path, key string) string {
	n, p := m[key], join(path, key)
	if n == nil || isNull(d.at(n, p)) {
		d.require(path, key)
		return ""
	}
	n = d.at(n, p)
	if n.Kind != yaml.ScalarNode {
		d.fail(p, "must be a number like 10 or 8.5")
		return ""
	}
	pct, err := pricing.NormalizePercentage(n.Value)
	if err != nil {
		d.fail(p, "%s, not %s", err.Error(), shown(n))
		return ""
	}
	return pct
}

// names returns a list of names; a missing or null list is empty.
func (d *fileDecoder) names(m map[string]*yaml.Node, path, key, what string) []string {
	p := join(path, key)
	items := d.list(m[key], p)
	out := []string{}
	seen := map[string]int{}
	for i, n := range items {
		ip := fmt.Sprintf("%s[%d]", p, i)
		n = d.at(n, ip)
		if n.Kind != yaml.ScalarNode || isNull(n) || strings.TrimSpace(n.Value) == "" {
			d.fail(ip, "must be the name of a %s", what)
			continue
		}
		if j, dup := seen[n.Value]; dup {
			d.fail(ip, "%q is listed twice (also %s[%d])", n.Value, p, j)
			continue
		}
		seen[n.Value] = i
		out = append(out, n.Value)
	}
	if len(items) > pricing.MaxIDsPerList {
		d.fail(p, "must list at most %d %ss", pricing.MaxIDsPerList, what)
	}
	return out
}

// shown renders a scalar for a message.
func shown(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return "a " + map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}[n.Kind]
	}
	return strconv.Quote(n.Value)
}

// invalid reports the server's own rules broken by one object: the field
// errors of its pricing input's Validate, at the fields' paths, except
// on fields already reported (missing or mistyped).
func (d *fileDecoder) invalid(path string, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		if err != nil {
			d.fail(path, "%s", err.Error())
		}
		return
	}
	for _, f := range errs.FieldNames(err) {
		p := join(path, f)
		if !d.reported[p] && !d.reported[parentPath(p)] {
			d.fail(p, "%s", e.Fields[f])
		}
	}
}

func (d *fileDecoder) catalog(root *yaml.Node) catalog {
	top := d.mapping(root, "", fileKeys)
	if top == nil {
		return catalog{}
	}
	if n := top["version"]; n == nil {
		d.fail("", "version is required: a catalog file starts with version: %d", catalogFileVersion)
	} else if n = d.at(n, "version"); n.Kind != yaml.ScalarNode || n.Value != strconv.Itoa(catalogFileVersion) {
		d.fail("version", "must be %d: this saasplane reads catalog files of version %d", catalogFileVersion, catalogFileVersion)
	}
	var c catalog
	for i, n := range d.list(top["meters"], "meters") {
		c.Meters = append(c.Meters, d.meter(n, fmt.Sprintf("meters[%d]", i)))
	}
	for i, n := range d.list(top["tax_rates"], "tax_rates") {
		c.TaxRates = append(c.TaxRates, d.taxRate(n, fmt.Sprintf("tax_rates[%d]", i)))
	}
	for i, n := range d.list(top["units"], "units") {
		c.Units = append(c.Units, d.unit(n, fmt.Sprintf("units[%d]", i)))
	}
	for i, n := range d.list(top["menus"], "menus") {
		c.Menus = append(c.Menus, d.menu(n, fmt.Sprintf("menus[%d]", i)))
	}
	for i, n := range d.list(top["plans"], "plans") {
		c.Plans = append(c.Plans, d.plan(n, fmt.Sprintf("plans[%d]", i)))
	}
	return c
}

func (d *fileDecoder) meter(n *yaml.Node, path string) catMeter {
	m := d.mapping(n, path, fileMeterKeys)
	if m == nil {
		return catMeter{}
	}
	out := catMeter{Name: d.text(m, path, "unit_name", true), DisplayName: d.text(m, path, "display_name", false),
		Description: d.text(m, path, "description", false), AggregateUsage: d.text(m, path, "aggregate_usage", false)}
	d.invalid(path, pricing.MeterInput{Name: out.Name, DisplayName: out.DisplayName, Description: out.Description,
		AggregateUsage: pricing.AggregateUsage(out.AggregateUsage)}.Validate())
	return out
}

func (d *fileDecoder) taxRate(n *yaml.Node, path string) catTaxRate {
	m := d.mapping(n, path, fileTaxKeys)
	if m == nil {
		return catTaxRate{}
	}
	out := catTaxRate{Name: d.text(m, path, "name", true), DisplayName: d.text(m, path, "display_name", false),
		Percentage: d.percentage(m, path, "percentage"), Country: d.text(m, path, "country", true),
		Description: d.text(m, path, "description", false)}
	out.Inclusive, _ = d.boolean(m, path, "inclusive", true)
	d.invalid(path, pricing.TaxRateInput{Name: out.Name, DisplayName: out.DisplayName, Percentage: out.Percentage, Inclusive: out.Inclusive,
		Country: out.Country, Description: out.Description}.Validate())
	return out
}

func (d *fileDecoder) unit(n *yaml.Node, path string) catUnit {
	m := d.mapping(n, path, fileUnitKeys)
	if m == nil {
		return catUnit{}
	}
	u := catUnit{Name: d.text(m, path, "name", true), DisplayName: d.text(m, path, "display_name", false),
		Description: d.text(m, path, "description", false), Type: d.text(m, path, "type", true), Currency: d.text(m, path, "currency", true)}
	keys, known := unitTypeKeys[u.Type]
	if known {
		for _, k := range []string{"unit_amount", "recurring_interval", "upper_count", "metering_unit_name", "aggregate_usage", "tiers"} {
			if m[k] != nil && !contains(keys, k) && !(k == "recurring_interval" && metered(u.Type)) {
				d.fail(join(path, k), "a %s unit has no %s (its fields: %s)", u.Type, k, strings.Join(keys, ", "))
			}
		}
	}
	switch u.Type {
	case "fixed":
		u.UnitAmount, _ = d.amount(m, path, "unit_amount", true)
		u.RecurringInterval = d.text(m, path, "recurring_interval", true)
	case "usage", "tiered", "tiered_usage":
		if u.Type == "usage" {
			u.UnitAmount, _ = d.amount(m, path, "unit_amount", true)
		} else {
			u.Tiers = d.tiers(m, path)
		}
		u.UpperCount, _ = d.amount(m, path, "upper_count", false)
		u.MeterName = d.text(m, path, "metering_unit_name", true)
		u.AggregateUsage = d.text(m, path, "aggregate_usage", false)
		// Metered units are billed monthly; month may be said, nothing else.
		if iv := d.text(m, path, "recurring_interval", false); iv != "" && iv != "month" {
			d.fail(join(path, "recurring_interval"), "a %s unit is always billed monthly: leave recurring_interval out", u.Type)
		}
	}
	in := pricing.UnitInput{Name: u.Name, DisplayName: u.DisplayName, Description: u.Description, Type: pricing.UnitType(u.Type),
		Currency: pricing.Currency(u.Currency), UnitAmount: u.UnitAmount, Interval: pricing.Interval(u.RecurringInterval),
		UpperCount: u.UpperCount, MeterName: u.MeterName, AggregateUsage: pricing.AggregateUsage(u.AggregateUsage)}
	for _, t := range u.Tiers {
		in.Tiers = append(in.Tiers, pricing.Tier{UpTo: t.UpTo, UnitAmount: t.UnitAmount, FlatAmount: t.FlatAmount, Inf: t.Inf})
	}
	d.invalid(path, in.Validate())
	return u
}

// tiers reads a tiered unit's tiers: unit_amount is required, flat_amount
// and inf default to 0 and false, and up_to is required except on the
// open-ended tier (where the API ignores it).
func (d *fileDecoder) tiers(m map[string]*yaml.Node, path string) []catTier {
	p := join(path, "tiers")
	if m["tiers"] == nil {
		d.require(path, "tiers")
		return nil
	}
	out := []catTier{}
	for i, n := range d.list(m["tiers"], p) {
		tp := fmt.Sprintf("%s[%d]", p, i)
		tm := d.mapping(n, tp, fileTierKeys)
		if tm == nil {
			continue
		}
		var t catTier
		t.Inf, _ = d.boolean(tm, tp, "inf", false)
		t.UpTo, _ = d.amount(tm, tp, "up_to", !t.Inf)
		t.UnitAmount, _ = d.amount(tm, tp, "unit_amount", true)
		t.FlatAmount, _ = d.amount(tm, tp, "flat_amount", false)
		out = append(out, t)
	}
	return out
}

func (d *fileDecoder) menu(n *yaml.Node, path string) catMenu {
	m := d.mapping(n, path, fileMenuKeys)
	if m == nil {
		return catMenu{}
	}
	out := catMenu{Name: d.text(m, path, "name", true), DisplayName: d.text(m, path, "display_name", false),
		Description: d.text(m, path, "description", false), Units: d.names(m, path, "units", "pricing unit")}
	d.invalid(path, pricing.MenuInput{Name: out.Name, DisplayName: out.DisplayName, Description: out.Description}.Validate())
	return out
}

func (d *fileDecoder) plan(n *yaml.Node, path string) catPlan {
	m := d.mapping(n, path, filePlanKeys)
	if m == nil {
		return catPlan{}
	}
	out := catPlan{Name: d.text(m, path, "name", true), DisplayName: d.text(m, path, "display_name", false),
		Description: d.text(m, path, "description", false), Menus: d.names(m, path, "menus", "menu")}
	d.invalid(path, pricing.PlanInput{Name: out.Name, DisplayName: out.DisplayName, Description: out.Description}.Validate())
	return out
}

// duplicates reports a name given twice in one section.
func (d *fileDecoder) duplicates(c catalog) {
	for _, s := range sections(catalog{}, c) {
		first := map[string]int{}
		for i, o := range s.file {
			if o.name == "" {
				continue // reported as missing
			}
			if j, dup := first[o.name]; dup {
				d.fail(fmt.Sprintf("%s[%d].%s", s.key, i, s.nameField), "%q is already the name of %s[%d]: names are unique in each section", o.name, s.key, j)
				continue
			}
			first[o.name] = i
		}
	}
}

// ---- export ----
//
// The written form: every section, in dependency order; every field of
// an object's kind and unit type, in a fixed order; optional fields
// (aggregate_usage) only when set; percentages as quoted decimal text.

type exportFile struct {
	Version  int             `yaml:"version"`
	Meters   []exportMeter   `yaml:"meters"`
	TaxRates []exportTaxRate `yaml:"tax_rates"`
	Units    []exportUnit    `yaml:"units"`
	Menus    []exportMenu    `yaml:"menus"`
	Plans    []exportPlan    `yaml:"plans"`
}

type exportMeter struct {
	UnitName       string `yaml:"unit_name"`
	DisplayName    string `yaml:"display_name"`
	Description    string `yaml:"description"`
	AggregateUsage string `yaml:"aggregate_usage,omitempty"`
}

type exportTaxRate struct {
	Name        string    `yaml:"name"`
	DisplayName string    `yaml:"display_name"`
	Percentage  yaml.Node `yaml:"percentage"`
	Inclusive   bool      `yaml:"inclusive"`
	Country     string    `yaml:"country"`
	Description string    `yaml:"description"`
}

type exportUnit struct {
	Name              string        `yaml:"name"`
	DisplayName       string        `yaml:"display_name"`
	Description       string        `yaml:"description"`
	Type              string        `yaml:"type"`
	Currency          string        `yaml:"currency"`
	UnitAmount        *uint64       `yaml:"unit_amount,omitempty"`
	RecurringInterval string        `yaml:"recurring_interval,omitempty"`
	UpperCount        *uint64       `yaml:"upper_count,omitempty"`
	MeteringUnitName  string        `yaml:"metering_unit_name,omitempty"`
	AggregateUsage    string        `yaml:"aggregate_usage,omitempty"`
	Tiers             *[]exportTier `yaml:"tiers,omitempty"`
}

type exportTier struct {
	UpTo       uint64 `yaml:"up_to"`
	UnitAmount uint64 `yaml:"unit_amount"`
	FlatAmount uint64 `yaml:"flat_amount"`
	Inf        bool   `yaml:"inf"`
}

type exportMenu struct {
	Name        string   `yaml:"name"`
	DisplayName string   `yaml:"display_name"`
	Description string   `yaml:"description"`
	Units       []string `yaml:"units"`
}

type exportPlan struct {
	Name        string   `yaml:"name"`
	DisplayName string   `yaml:"display_name"`
	Description string   `yaml:"description"`
	Menus       []string `yaml:"menus"`
}

// writeCatalogFile writes c as a catalog file. The same catalog always
// gives the same bytes, and parsing them gives c back (without ids).
func writeCatalogFile(w io.Writer, c catalog) error {
	f := exportFile{Version: catalogFileVersion, Meters: []exportMeter{}, TaxRates: []exportTaxRate{},
		Units: []exportUnit{}, Menus: []exportMenu{}, Plans: []exportPlan{}}
	for _, m := range c.Meters {
		f.Meters = append(f.Meters, exportMeter{m.Name, m.DisplayName, m.Description, m.AggregateUsage})
	}
	for _, r := range c.TaxRates {
		pct := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: r.Percentage, Style: yaml.DoubleQuotedStyle}
		f.TaxRates = append(f.TaxRates, exportTaxRate{r.Name, r.DisplayName, pct, r.Inclusive, r.Country, r.Description})
	}
	for _, u := range c.Units {
		e := exportUnit{Name: u.Name, DisplayName: u.DisplayName, Description: u.Description, Type: u.Type, Currency: u.Currency}
		amount, upper := u.UnitAmount, u.UpperCount
		switch u.Type {
		case "fixed":
			e.UnitAmount, e.RecurringInterval = &amount, u.RecurringInterval
		case "usage", "tiered", "tiered_usage":
			if u.Type == "usage" {
				e.UnitAmount = &amount
			} else {
				tiers := make([]exportTier, len(u.Tiers))
				for i, t := range u.Tiers {
					tiers[i] = exportTier(t)
				}
				e.Tiers = &tiers
			}
			e.UpperCount, e.MeteringUnitName, e.AggregateUsage = &upper, u.MeterName, u.AggregateUsage
		}
		f.Units = append(f.Units, e)
	}
	for _, m := range c.Menus {
		f.Menus = append(f.Menus, exportMenu{m.Name, m.DisplayName, m.Description, nonNil(m.Units)})
	}
	for _, p := range c.Plans {
		f.Plans = append(f.Plans, exportPlan{p.Name, p.DisplayName, p.Description, nonNil(p.Menus)})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write catalog file: %w", err)
	}
	return enc.Close()
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
