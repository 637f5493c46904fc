package app

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// sampleFile is sampleCatalog as people may write it: fields left to
// their defaults, a percentage as a bare number, a flow list.
const sampleFile = `version: 1
meters:
  - unit_name: calls
    display_name: Calls
    description: API calls
  - unit_name: seats
    display_name: Seats
    aggregate_usage: max
tax_rates:
  - name: jct
    display_name: JCT
    percentage: 10.00
    inclusive: false
    country: JP
units:
  - name: base
    display_name: Base
    type: fixed
    currency: JPY
    unit_amount: 1000
    recurring_interval: month
  - name: calls_fee
    display_name: API calls
    type: usage
    currency: JPY
    unit_amount: 3
    metering_unit_name: calls
  - name: seats_fee
    display_name: Seats
    type: tiered_usage
    currency: JPY
    metering_unit_name: seats
    recurring_interval: month
    tiers:
      - {up_to: 10, unit_amount: 100}
      - {up_to: 20, unit_amount: 90, flat_amount: 500}
      - {inf: true, unit_amount: 70}
menus:
  - name: standard
    display_name: Standard
    units: [base, calls_fee, seats_fee]
plans:
  - name: pro
    display_name: Pro
    menus:
      - standard
`

// sampleExport is how export writes sampleCatalog: every field, every
// section.
const sampleExport = `version: 1
meters:
  - unit_name: calls
    display_name: Calls
    description: API calls
  - unit_name: seats
    display_name: Seats
    description: ""
    aggregate_usage: max
tax_rates:
  - name: jct
    display_name: JCT
    percentage: "10"
    inclusive: false
    country: JP
    description: ""
units:
  - name: base
    display_name: Base
    description: ""
    type: fixed
    currency: JPY
    unit_amount: 1000
    recurring_interval: month
  - name: calls_fee
    display_name: API calls
    description: ""
    type: usage
    currency: JPY
    unit_amount: 3
    upper_count: 0
    metering_unit_name: calls
  - name: seats_fee
    display_name: Seats
    description: ""
    type: tiered_usage
    currency: JPY
    upper_count: 0
    metering_unit_name: seats
    tiers:
      - up_to: 10
        unit_amount: 100
        flat_amount: 0
        inf: false
      - up_to: 20
        unit_amount: 90
        flat_amount: 500
        inf: false
      - up_to: 0
        unit_amount: 70
        flat_amount: 0
        inf: true
menus:
  - name: standard
    display_name: Standard
    description: ""
    units:
      - base
      - calls_fee
      - seats_fee
plans:
  - name: pro
    display_name: Pro
    description: ""
    menus:
      - standard
`

func TestParseCatalogFile(t *testing.T) {
	got, _, err := parseCatalogFile("catalog.yaml", []byte(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := sampleCatalog(); !reflect.DeepEqual(got, want) {
		t.Errorf("parsed:\n%+v\nwant:\n%+v", got, want)
	}
}

func TestWriteCatalogFile(t *testing.T) {
	var b bytes.Buffer
	if err := writeCatalogFile(&b, onServer(sampleCatalog())); err != nil {
		t.Fatal(err)
	}
	if b.String() != sampleExport {
		t.Errorf("export:\n%s\nwant:\n%s", b.String(), sampleExport)
	}
	back, _, err := parseCatalogFile("export.yaml", b.Bytes())
	if err != nil || !reflect.DeepEqual(back, sampleCatalog()) {
		t.Errorf("the export reads back as %+v, %v", back, err)
	}
	b.Reset()
	if err := writeCatalogFile(&b, catalog{}); err != nil || b.String() != "version: 1\nmeters: []\ntax_rates: []\nunits: []\nmenus: []\nplans: []\n" {
		t.Errorf("the empty catalog = %q, %v", b.String(), err)
	}
	if c, _, err := parseCatalogFile("empty.yaml", b.Bytes()); err != nil || !reflect.DeepEqual(c, catalog{}) {
		t.Errorf("the empty catalog reads back as %+v, %v", c, err)
	}
}

// Every problem is reported, each at its line and path, and nothing
// else: a field already reported is not reported again by the server's
// rules.
func TestParseCatalogFileProblems(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"the file is empty: a catalog file starts with version: 1"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"the file holds more than one YAML document"}},
		{"not a mapping", "- a\n", []string{"the file must be a mapping of keys to values"}},
		{"version", "meters: []\n", []string{"version is required: a catalog file starts with version: 1"}},
		{"version 2", "version: 2\n", []string{"x.yaml:1: version: must be 1: this saasplane reads catalog files of version 1"}},
		{"unknown keys", "version: 1\nmeter: []\nunits:\n  - name: u\n    type: fixed\n    currency: JPY\n    unit_amount: 1\n    recurring_interval: month\n    colour: red\n", []string{
			`x.yaml:2: meter: unknown key "meter"; the file takes version, meters, tax_rates, units, menus, plans`,
			`x.yaml:9: units[0].colour: unknown key "colour"; units[0] takes name, display_name, description, type, currency, unit_amount, recurring_interval, upper_count, metering_unit_name, aggregate_usage, tiers`}},
		{"a key twice", "version: 1\nplans:\n  - name: a\n    name: b\n", []string{`x.yaml:4: plans[0].name: the key "name" is given twice`}},
		{"missing fields", "version: 1\nmeters:\n  - display_name: x\nunits:\n  - display_name: u\n  - name: t\n    type: tiered\n    currency: JPY\nmenus:\n  - units: [a]\n", []string{
			"x.yaml:3: meters[0]: unit_name is required",
			"x.yaml:5: units[0]: name is required", "x.yaml:5: units[0]: type is required", "x.yaml:5: units[0]: currency is required",
			"x.yaml:6: units[1]: tiers is required", "x.yaml:6: units[1]: metering_unit_name is required",
			"x.yaml:10: menus[0]: name is required"}},
		{"amounts are whole numbers", "version: 1\nunits:\n  - name: u\n    type: usage\n    currency: JPY\n    unit_amount: 2.5\n    upper_count: -1\n    metering_unit_name: m\n", []string{
			`x.yaml:6: units[0].unit_amount: must be a whole number from 0 to 9223372036854775807 (amounts are in the currency's smallest unit), not "2.5"`,
			`x.yaml:7: units[0].upper_count: must be a whole number from 0 to 9223372036854775807 (amounts are in the currency's smallest unit), not "-1"`}},
		{"too large an amount", "version: 1\nunits:\n  - name: u\n    type: fixed\n    currency: JPY\n    unit_amount: 9223372036854775808\n    recurring_interval: month\n", []string{
			`x.yaml:6: units[0].unit_amount: must be a whole number from 0 to 9223372036854775807 (amounts are in the currency's smallest unit), not "9223372036854775808"`}},
		{"fields of another type", "version: 1\nunits:\n  - name: u\n    type: fixed\n    currency: JPY\n    unit_amount: 1\n    recurring_interval: month\n    metering_unit_name: m\n    tiers: []\n", []string{
			"x.yaml:8: units[0].metering_unit_name: a fixed unit has no metering_unit_name (its fields: unit_amount, recurring_interval)",
			"x.yaml:9: units[0].tiers: a fixed unit has no tiers (its fields: unit_amount, recurring_interval)"}},
		{"the server's rules", "version: 1\nmeters:\n  - unit_name: date\n    aggregate_usage: avg\nunits:\n  - name: u\n    type: flat\n    currency: EUR\n" +
			"  - name: t\n    type: tiered\n    currency: JPY\n    metering_unit_name: m\n    recurring_interval: year\n    tiers:\n      - {up_to: 10, unit_amount: 1}\n      - {up_to: 5, unit_amount: 1}\n", []string{
			`x.yaml:3: meters[0].unit_name: "date" is reserved: it collides with the all-meter count routes`,
			"x.yaml:4: meters[0].aggregate_usage: must be one of sum, max",
			"x.yaml:7: units[0].type: must be one of fixed, usage, tiered, tiered_usage",
			"x.yaml:8: units[0].currency: must be one of JPY, USD",
			"x.yaml:13: units[1].recurring_interval: a tiered unit is always billed monthly: leave recurring_interval out",
			"x.yaml:16: units[1].tiers[1].inf: the last tier must have inf: true"}},
		{"tiers (a mistyped inf counts as false)", "version: 1\nunits:\n  - name: t\n    type: tiered\n    currency: JPY\n    metering_unit_name: m\n    tiers:\n      - {unit_amount: 1}\n      - {inf: yes, up_to: 5}\n", []string{
			"x.yaml:8: units[0].tiers[0]: up_to is required",
			`x.yaml:9: units[0].tiers[1].inf: must be true or false, not "yes"`,
			"x.yaml:9: units[0].tiers[1]: unit_amount is required"}},
		{"tax rates", "version: 1\ntax_rates:\n  - name: a\n    percentage: 8.12345\n    inclusive: false\n    country: jp\n  - name: b\n    percentage: \"101\"\n    country: JP\n  - name: c\n    percentage: 1e1\n    inclusive: true\n    country: JP\n", []string{
			`x.yaml:4: tax_rates[0].percentage: must have at most 4 decimal places, not "8.12345"`,
			"x.yaml:6: tax_rates[0].country: must be an ISO 3166-1 alpha-2 code in capitals, e.g. JP",
			"x.yaml:7: tax_rates[1]: inclusive is required",
			`x.yaml:8: tax_rates[1].percentage: must be between 0 and 100, not "101"`}},
		{"duplicate names", "version: 1\nmeters:\n  - unit_name: m\n  - unit_name: m\nmenus:\n  - name: a\n    units: [u, v, u]\n  - name: b\n  - name: a\n", []string{
			`x.yaml:4: meters[1].unit_name: "m" is already the name of meters[0]: names are unique in each section`,
			`x.yaml:7: menus[0].units[2]: "u" is listed twice (also menus[0].units[0])`,
			`x.yaml:9: menus[2].name: "a" is already the name of menus[0]: names are unique in each section`}},
		{"lists and mappings", "version: 1\nplans: {name: p}\nmenus:\n  - name: m\n    units: u\n  - just text\n", []string{
			"x.yaml:2: plans: must be a list", "x.yaml:5: menus[0].units: must be a list",
			"x.yaml:6: menus[1]: menus[1] must be a mapping of keys to values"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseCatalogFile("x.yaml", []byte(tc.file))
			fe, ok := err.(*fileError)
			if !ok {
				t.Fatalf("err = %v (%T), want a *fileError", err, err)
			}
			if got := strings.Join(fe.lines(), "\n"); got != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.ReplaceAll(got, "\n", "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// A YAML syntax error is reported with yaml's own line.
func TestParseCatalogFileSyntax(t *testing.T) {
	_, _, err := parseCatalogFile("x.yaml", []byte("version: 1\nmeters: [\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml: yaml: line ") {
		t.Errorf("err = %v, want yaml's syntax error", err)
	}
}

// Texts YAML would read as something else unless quoted come back as
// written, and so do multi-line and non-ASCII ones.
func TestCatalogFileRoundTripsTexts(t *testing.T) {
	texts := []string{"null", "~", "true", "no", "123", "0x10", "1e3", "", " padded ", "a: b", "- x", "#hash", "[list]", "{map}",
		"line one\nline two\n", "tab\there", "消費税", `quote " and \ backslash`, "'single'", "*alias", "&anchor", "!tag", "%percent", "@at",
		strings.Repeat("a long description  with double  spaces ", 20), "trailing newlines\n\n"}
	var c catalog
	for i, s := range texts {
		name := s
		if strings.TrimSpace(name) == "" {
			name = "blank" + strings.Repeat("_", i)
		}
		short := []rune(name)[:min(len([]rune(name)), 255)] // the limit of names
		c.Plans = append(c.Plans, catPlan{Name: string(short), DisplayName: string(short), Description: s, Menus: []string{}})
	}
	var b bytes.Buffer
	if err := writeCatalogFile(&b, c); err != nil {
		t.Fatal(err)
	}
	back, _, err := parseCatalogFile("texts.yaml", b.Bytes())
	if err != nil || len(back.Plans) != len(c.Plans) {
		t.Fatalf("read back %d plans, %v; want %d from:\n%s", len(back.Plans), err, len(c.Plans), b.String())
	}
	for i, p := range c.Plans {
		if !reflect.DeepEqual(back.Plans[i], p) {
			t.Errorf("read back as %+v, want %+v", back.Plans[i], p)
		}
	}
}
