package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/tenant"
)

// The golden invoice corpus: testdata/invoices/*.json, described in
// testdata/invoices/README.md so that any implementation can run it.
//
//	go test ./internal/billing/ -run TestGoldenInvoices -update
//
// rewrites the expected invoices (and errors) from what Build returns.
// Review the diff: an expected number changes only when the fixture, not
// the code, was wrong.
var update = flag.Bool("update", false, "rewrite the expected invoices of testdata/invoices from Build's results")

const goldenDir = "testdata/invoices"

// The fixture format. Field names follow the SaaSus Pricing API; optional
// fields are omitempty so that -update writes a file back as it was.
type fixture struct {
	Description string    `json:"description"`
	TimeZone    string    `json:"time_zone"`
	Catalog     fxCatalog `json:"catalog"`
	Tenant      fxTenant  `json:"tenant"`
	Usage       []fxUsage `json:"usage,omitempty"`
	Steps       []*fxStep `json:"steps"`
}

type fxCatalog struct {
	Meters       []fxMeter   `json:"meters,omitempty"`
	PricingUnits []fxUnit    `json:"pricing_units"`
	Menus        []fxMenu    `json:"menus"`
	Plans        []fxPlan    `json:"plans"`
	TaxRates     []fxTaxRate `json:"tax_rates,omitempty"`
}

type fxMeter struct {
	ID             string `json:"id"`
	UnitName       string `json:"unit_name"`
	DisplayName    string `json:"display_name,omitempty"`
	Description    string `json:"description,omitempty"`
	AggregateUsage string `json:"aggregate_usage,omitempty"`
}

type fxUnit struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	DisplayName       string   `json:"display_name,omitempty"`
	Description       string   `json:"description,omitempty"`
	Type              string   `json:"type"`
	Currency          string   `json:"currency"`
	UnitAmount        uint64   `json:"unit_amount,omitempty"`
	RecurringInterval string   `json:"recurring_interval,omitempty"`
	UpperCount        uint64   `json:"upper_count,omitempty"`
	MeteringUnitName  string   `json:"metering_unit_name,omitempty"`
	AggregateUsage    string   `json:"aggregate_usage,omitempty"`
	Tiers             []fxTier `json:"tiers,omitempty"`
}

type fxTier struct {
	UpTo       uint64 `json:"up_to"`
	UnitAmount uint64 `json:"unit_amount"`
	FlatAmount uint64 `json:"flat_amount"`
	Inf        bool   `json:"inf"`
}

type fxMenu struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name,omitempty"`
	Description string   `json:"description,omitempty"`
	UnitIDs     []string `json:"unit_ids"`
}

type fxPlan struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name,omitempty"`
	Description string   `json:"description,omitempty"`
	MenuIDs     []string `json:"menu_ids"`
}

type fxTaxRate struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name,omitempty"`
	// Percentage is a JSON number (10, 8.5) or a decimal string ("10").
	Percentage  json.RawMessage `json:"percentage"`
	Inclusive   bool            `json:"inclusive"`
	Country     string          `json:"country,omitempty"`
	Description string          `json:"description,omitempty"`
}

type fxTenant struct {
	ID            string      `json:"id"`
	PlanHistories []fxHistory `json:"plan_histories,omitempty"`
	DeletedAt     *int64      `json:"deleted_at,omitempty"`
}

type fxHistory struct {
	PlanID        string `json:"plan_id"`
	PlanAppliedAt int64  `json:"plan_applied_at"`
	TaxRateID     string `json:"tax_rate_id,omitempty"`
}

type fxUsage struct {
	MeteringUnitName string `json:"metering_unit_name"`
	Timestamp        int64  `json:"timestamp"`
	Count            int64  `json:"count"`
}

// fxStep is one step: "record_usage" (Usage), "preview" or "finalize"
// (Period, FinalizedAt for finalize) expecting Invoice or Error.
type fxStep struct {
	Action      string          `json:"action"`
	Comment     string          `json:"comment,omitempty"`
	Usage       []fxUsage       `json:"usage,omitempty"`
	Period      string          `json:"period,omitempty"`
	FinalizedAt int64           `json:"finalized_at,omitempty"`
	Invoice     json.RawMessage `json:"invoice,omitempty"`
	Error       string          `json:"error,omitempty"`
}

func TestGoldenInvoices(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d fixtures in %s, want at least 20", len(files), goldenDir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx fixture
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&fx); err != nil {
				t.Fatalf("decode %s: %v", file, err)
			}
			changed := runFixture(t, &fx)
			if *update && changed {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(fx); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
			}
		})
	}
}

// world is a fixture's state as its steps run.
type world struct {
	tenant    string
	loc       *time.Location
	plans     map[string]pricing.Plan
	meters    map[string]pricing.Meter
	meterByNm map[string]string // unit_name → meter id
	taxRates  map[string]pricing.TaxRate
	history   []tenant.PlanHistory
	stop      time.Time
	usage     map[string]map[int64]int64 // meter id → timestamp → value
	finalized []Invoice
}

// runFixture runs every step and reports whether an expectation differs
// (with -update, the step now holds the result).
func runFixture(t *testing.T, fx *fixture) (changed bool) {
	t.Helper()
	if fx.Description == "" {
		t.Error("a fixture needs a description")
	}
	report := t.Errorf // with -update a difference is rewritten, not a failure
	if *update {
		report = t.Logf
	}
	w := loadWorld(t, fx)
	w.record(t, fx.Usage)
	if len(fx.Steps) == 0 {
		t.Fatal("a fixture needs at least one step")
	}
	for i, st := range fx.Steps {
		name := fmt.Sprintf("step %d (%s %s)", i, st.Action, st.Period)
		switch st.Action {
		case "record_usage":
			if len(st.Usage) == 0 {
				t.Fatalf("%s: no usage", name)
			}
			w.record(t, st.Usage)
			continue
		case "preview", "finalize":
		default:
			t.Fatalf("%s: unknown action %q", name, st.Action)
		}
		if st.Invoice == nil && st.Error == "" && st.Action == "preview" {
			t.Fatalf("%s: expects neither an invoice nor an error", name)
		}
		if st.Invoice != nil && st.Error != "" {
			t.Fatalf("%s: expects both an invoice and an error", name)
		}
		inv, err := w.build(t, st.Period)
		if err == nil && st.Action == "finalize" {
			for _, f := range w.finalized {
				if f.Period == inv.Period {
					t.Fatalf("%s: period %s is already finalized", name, inv.Period)
				}
			}
			n := len(w.finalized) + 1
			inv.ID, inv.Number, inv.FinalizedAt = fmt.Sprintf("inv-%d", n), int64(n), st.FinalizedAt
			if st.FinalizedAt < inv.PeriodEnd {
				t.Fatalf("%s: finalized_at %d is before the period ends (%d)", name, st.FinalizedAt, inv.PeriodEnd)
			}
			w.finalized = append(w.finalized, inv)
		}
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: error %v is not an *errs.Error", name, err)
			}
			if e.WireType() != st.Error {
				changed = true
				report("%s: error %s (%v), want %s", name, e.WireType(), err, want(st))
				if *update {
					st.Error, st.Invoice = e.WireType(), nil
				}
			}
			continue
		}
		got, merr := json.Marshal(inv)
		if merr != nil {
			t.Fatal(merr)
		}
		if st.Error != "" || (st.Invoice == nil && st.Action == "preview") {
			changed = true
			report("%s: got an invoice, want %s:\n%s", name, want(st), indent(got))
			if *update {
				st.Error, st.Invoice = "", got
			}
			continue
		}
		if st.Invoice == nil {
			continue // a finalize step may leave its invoice unchecked
		}
		if diff := jsonDiff(got, st.Invoice); diff != "" {
			changed = true
			report("%s: invoice differs (got ≠ want):\n%s\ngot:\n%s", name, diff, indent(got))
			if *update {
				st.Invoice = got
			}
		}
	}
	return changed
}

func want(st *fxStep) string {
	if st.Error != "" {
		return "error " + st.Error
	}
	return "an invoice"
}

func loadWorld(t *testing.T, fx *fixture) *world {
	t.Helper()
	loc, err := time.LoadLocation(fx.TimeZone)
	if err != nil || fx.TimeZone == "" {
		t.Fatalf("time_zone %q: %v", fx.TimeZone, err)
	}
	w := &world{loc: loc, plans: map[string]pricing.Plan{}, meters: map[string]pricing.Meter{}, meterByNm: map[string]string{},
		taxRates: map[string]pricing.TaxRate{}, usage: map[string]map[int64]int64{}}
	c := fx.Catalog
	for _, m := range c.Meters {
		if _, dup := w.meters[m.ID]; dup || w.meterByNm[m.UnitName] != "" {
			t.Fatalf("meter %s/%s defined twice", m.ID, m.UnitName)
		}
		w.meters[m.ID] = pricing.Meter{ID: m.ID, Name: m.UnitName, DisplayName: m.DisplayName, Description: m.Description,
			AggregateUsage: pricing.AggregateUsage(m.AggregateUsage)}
		w.meterByNm[m.UnitName] = m.ID
	}
	units := map[string]pricing.Unit{}
	for _, fu := range c.PricingUnits {
		u := pricing.Unit{ID: fu.ID, Name: fu.Name, DisplayName: fu.DisplayName, Description: fu.Description, Type: pricing.UnitType(fu.Type),
			Currency: pricing.Currency(fu.Currency), UnitAmount: fu.UnitAmount, Interval: pricing.Interval(fu.RecurringInterval),
			UpperCount: fu.UpperCount, MeterName: fu.MeteringUnitName, AggregateUsage: pricing.AggregateUsage(fu.AggregateUsage)}
		for _, tr := range fu.Tiers {
			u.Tiers = append(u.Tiers, pricing.Tier(tr))
		}
		if u.Type.Metered() {
			id, ok := w.meterByNm[u.MeterName]
			if !ok {
				t.Fatalf("unit %s: metering_unit_name %q names no meter", u.ID, u.MeterName)
			}
			u.MeterID = id
		} else if u.MeterName != "" || len(u.Tiers) != 0 {
			t.Fatalf("unit %s: a fixed unit has no meter and no tiers", u.ID)
		}
		if u.Type == pricing.UnitTypeFixed && u.Interval == "" {
			t.Fatalf("unit %s: a fixed unit needs its recurring_interval", u.ID)
		}
		in := pricing.UnitInput{Name: u.Name, DisplayName: u.DisplayName, Type: u.Type, Currency: u.Currency, UnitAmount: u.UnitAmount,
			Interval: u.Interval, MeterName: u.MeterName, AggregateUsage: u.AggregateUsage, Tiers: u.Tiers}
		if err := in.Validate(); err != nil {
			t.Fatalf("unit %s is not valid for the API: %v", u.ID, err)
		}
		if _, dup := units[u.ID]; dup {
			t.Fatalf("unit %s defined twice", u.ID)
		}
		units[u.ID] = u
	}
	menus := map[string]pricing.Menu{}
	for _, fm := range c.Menus {
		m := pricing.Menu{ID: fm.ID, Name: fm.Name, DisplayName: fm.DisplayName, Description: fm.Description}
		for _, id := range fm.UnitIDs {
			u, ok := units[id]
			if !ok {
				t.Fatalf("menu %s: unit %s does not exist", fm.ID, id)
			}
			m.Units = append(m.Units, u)
		}
		menus[m.ID] = m
	}
	for _, fp := range c.Plans {
		p := pricing.Plan{ID: fp.ID, Name: fp.Name, DisplayName: fp.DisplayName, Description: fp.Description}
		for _, id := range fp.MenuIDs {
			m, ok := menus[id]
			if !ok {
				t.Fatalf("plan %s: menu %s does not exist", fp.ID, id)
			}
			p.Menus = append(p.Menus, m)
		}
		w.plans[p.ID] = p
	}
	for _, ft := range c.TaxRates {
		pct := string(ft.Percentage)
		if strings.HasPrefix(pct, `"`) {
			if err := json.Unmarshal(ft.Percentage, &pct); err != nil {
				t.Fatalf("tax rate %s: percentage: %v", ft.ID, err)
			}
		}
		norm, err := pricing.NormalizePercentage(pct)
		if err != nil {
			t.Fatalf("tax rate %s: percentage %s %v", ft.ID, pct, err)
		}
		w.taxRates[ft.ID] = pricing.TaxRate{ID: ft.ID, Name: ft.Name, DisplayName: ft.DisplayName, Percentage: norm,
			Inclusive: ft.Inclusive, Country: ft.Country, Description: ft.Description}
	}
	for _, h := range fx.Tenant.PlanHistories {
		if _, ok := w.plans[h.PlanID]; h.PlanID != "" && !ok {
			t.Fatalf("plan history: plan %s does not exist", h.PlanID)
		}
		if _, ok := w.taxRates[h.TaxRateID]; h.TaxRateID != "" && !ok {
			t.Fatalf("plan history: tax rate %s does not exist", h.TaxRateID)
		}
		w.history = append(w.history, tenant.PlanHistory{PlanID: h.PlanID, AppliedAt: time.Unix(h.PlanAppliedAt, 0), TaxRateID: h.TaxRateID})
	}
	if fx.Tenant.ID == "" {
		t.Fatal("tenant.id is required")
	}
	w.tenant = fx.Tenant.ID
	if d := fx.Tenant.DeletedAt; d != nil {
		w.stop = time.Unix(*d, 0)
	}
	return w
}

// record stores each entry as the final value at its second.
func (w *world) record(t *testing.T, entries []fxUsage) {
	t.Helper()
	for _, e := range entries {
		id, ok := w.meterByNm[e.MeteringUnitName]
		if !ok {
			t.Fatalf("usage: metering_unit_name %q names no meter", e.MeteringUnitName)
		}
		if w.usage[id] == nil {
			w.usage[id] = map[int64]int64{}
		}
		w.usage[id][e.Timestamp] = e.Count
	}
}

func (w *world) entries(meterID string) []Entry {
	var out []Entry
	for ts, c := range w.usage[meterID] {
		out = append(out, Entry{Timestamp: ts, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Timestamp < out[j].Timestamp })
	return out
}

// build computes the invoice of period as the README says: segments from
// the plan history, every finalized invoice of another period as prior,
// and the usage of every window Windows lists.
func (w *world) build(t *testing.T, period string) (Invoice, error) {
	t.Helper()
	p, err := ParsePeriod(period, w.loc)
	if err != nil {
		t.Fatalf("period %q: %v", period, err)
	}
	var prior []Invoice
	for _, f := range w.finalized {
		if f.Period != p.Key {
			prior = append(prior, f)
		}
	}
	in := Input{TenantID: w.tenant, Period: p, Segments: Segments(w.history, p.Start, p.End, w.stop),
		Plans: w.plans, Meters: w.meters, TaxRates: w.taxRates, Prior: prior}
	ws, err := Windows(in)
	if err != nil {
		return Invoice{}, err
	}
	in.Usage = map[Window]uint64{}
	for _, win := range ws {
		q, ok := Aggregate(w.entries(win.MeterID), win)
		if !ok {
			t.Fatalf("usage of %v exceeds MaxAmount", win)
		}
		in.Usage[win] = q
	}
	before := cloneInput(in)
	inv, err := Build(in)
	if !reflect.DeepEqual(before, in) {
		t.Fatal("Build changed its input")
	}
	return inv, err
}

// jsonDiff compares two JSON documents semantically (key order and
// spacing do not matter, numbers compare exactly) and lists the paths
// that differ, "" when equal.
func jsonDiff(got, want []byte) string {
	g, err1 := decodeJSON(got)
	w, err2 := decodeJSON(want)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("cannot compare: got %v, want %v", err1, err2)
	}
	var lines []string
	diffValue(&lines, "$", g, w)
	if len(lines) > 60 {
		lines = append(lines[:60], fmt.Sprintf("… and %d more", len(lines)-60))
	}
	return strings.Join(lines, "\n")
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func diffValue(out *[]string, path string, got, want any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: got %s, want an object", path, short(got)))
			return
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				*out = append(*out, fmt.Sprintf("%s.%s: missing, want %s", path, k, short(wv)))
			case !wok:
				*out = append(*out, fmt.Sprintf("%s.%s: got %s, want no such field", path, k, short(gv)))
			default:
				diffValue(out, path+"."+k, gv, wv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: got %s, want an array", path, short(got)))
			return
		}
		if len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: got %d elements, want %d", path, len(g), len(w)))
		}
		for i := range min(len(g), len(w)) {
			diffValue(out, fmt.Sprintf("%s[%d]", path, i), g[i], w[i])
		}
	default:
		if !reflect.DeepEqual(got, want) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, short(got), short(want)))
		}
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

func indent(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}
