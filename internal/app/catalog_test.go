package app_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/saas"
)

// catalogWorld is a served binary with an empty SaaS, and the environment
// of the CLI that talks to it.
type catalogWorld struct {
	srv   *server
	creds saas.Credentials
	env   map[string]string
	dir   string // for catalog files
}

func newCatalogWorld(t *testing.T) *catalogWorld {
	t.Helper()
	c := saas.Credentials{SaaSID: "catalog-saas", APIKey: "catalog-key", SecretKey: "catalog-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey, "SAASPLANE_ACCESS_LOG": "false"}
	w := &catalogWorld{srv: serve(t, env, "--data", t.TempDir()), creds: c, env: env, dir: t.TempDir()}
	env["SAASPLANE_SERVER"] = w.srv.url
	return w
}

// file writes a catalog file and returns its path.
func (w *catalogWorld) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var writeCounter = regexp.MustCompile(`(?m)^saasplane_http_requests_total\{method="(POST|PUT|PATCH|DELETE)",route="[^"]*/v1/pricing[^"]*",status="[0-9]+"\} ([0-9]+)$`)

// writes is how many write calls the pricing API has served so far.
func (w *catalogWorld) writes(t *testing.T) int {
	t.Helper()
	res, err := http.Get(w.srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	n := 0
	for _, m := range writeCounter.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.Atoi(m[2])
		n += v
	}
	return n
}

// export runs catalog export and requires it to succeed.
func (w *catalogWorld) export(t *testing.T) string {
	t.Helper()
	out, err := run(t, w.env, "catalog", "export")
	if err != nil {
		t.Fatalf("catalog export = %v", err)
	}
	return out
}

// catalogYAML is a catalog as people may write it: defaults left out, a
// percentage with a trailing zero, flow lists, the sections in any order.
const catalogYAML = `version: 1
plans:
  - name: pro
    display_name: Pro
    description: For teams
    menus: [standard]
  - name: legacy
    display_name: Legacy
    menus: [standard]
menus:
  - name: standard
    display_name: Standard
    units: [base, calls_fee, seats_fee]
units:
  - name: base
    display_name: Base fee
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
    upper_count: 50
    metering_unit_name: seats
    tiers:
      - {up_to: 10, unit_amount: 100}
      - {up_to: 20, unit_amount: 90}
      - {inf: true, unit_amount: 70}
meters:
  - unit_name: calls
    display_name: Calls
  - unit_name: seats
    display_name: Seats
    aggregate_usage: max
tax_rates:
  - name: vat
    display_name: VAT
    percentage: 8.50
    inclusive: true
    country: DE
`

// catalogExported is catalogYAML as export writes it back.
const catalogExported = `version: 1
meters:
  - unit_name: calls
    display_name: Calls
    description: ""
  - unit_name: seats
    display_name: Seats
    description: ""
    aggregate_usage: max
tax_rates:
  - name: vat
    display_name: VAT
    percentage: "8.5"
    inclusive: true
    country: DE
    description: ""
units:
  - name: base
    display_name: Base fee
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
    upper_count: 50
    metering_unit_name: seats
    tiers:
      - up_to: 10
        unit_amount: 100
        flat_amount: 0
        inf: false
      - up_to: 20
        unit_amount: 90
        flat_amount: 0
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
    description: For teams
    menus:
      - standard
  - name: legacy
    display_name: Legacy
    description: ""
    menus:
      - standard
`

// TestCatalogApplyAndExport applies a file to an empty SaaS, exports it
// back, applies again (no changes, no write), changes a price and a
// display name, and prunes a plan, against a served binary.
func TestCatalogApplyAndExport(t *testing.T) {
	w := newCatalogWorld(t)
	file := w.file(t, "catalog.yaml", catalogYAML)

	// A dry run prints the plan and writes nothing.
	out, err := run(t, w.env, "catalog", "apply", "-f", file, "--dry-run")
	if err != nil {
		t.Fatalf("apply --dry-run = %v", err)
	}
	for _, row := range []string{"ACTION KIND NAME CHANGES", "create meter calls", "create meter seats", "create tax_rate vat", "create unit base",
		"create unit calls_fee", "create unit seats_fee", "create menu standard", "create plan pro", "create plan legacy",
		"Plan: 9 to create, 0 to update, 0 to delete; 0 unchanged.", "Dry run: nothing was changed."} {
		if !hasRow(out, row) {
			t.Errorf("apply --dry-run lacks the row %q:\n%s", row, out)
		}
	}
	if n := w.writes(t); n != 0 {
		t.Errorf("the dry run made %d write calls", n)
	}
	if got := w.export(t); got != "version: 1\nmeters: []\ntax_rates: []\nunits: []\nmenus: []\nplans: []\n" {
		t.Errorf("export after the dry run = %q, want the empty catalog", got)
	}

	// Applying creates everything, in dependency order.
	out, err = run(t, w.env, "catalog", "apply", "-f", file)
	if err != nil {
		t.Fatalf("apply = %v\n%s", err, out)
	}
	if i, j := strings.Index(out, `applied  create meter "seats"`), strings.Index(out, `applied  create unit "seats_fee"`); i < 0 || j < i {
		t.Errorf("apply did not report the meter before the unit:\n%s", out)
	}
	if !hasRow(out, "Applied 9 of 9 changes.") {
		t.Errorf("apply lacks its closing line:\n%s", out)
	}
	if n := w.writes(t); n != 9 {
		t.Errorf("apply made %d write calls, want 9", n)
	}

	// Export gives the file's normalized form, the same bytes each time.
	exported := w.export(t)
	if exported != catalogExported {
		t.Errorf("export:\n%s\nwant:\n%s", exported, catalogExported)
	}
	if again := w.export(t); again != exported {
		t.Errorf("a second export differs:\n%s", again)
	}

	// Applying the file again, or its export, changes nothing and writes nothing.
	for _, f := range []string{file, w.file(t, "exported.yaml", exported)} {
		out, err = run(t, w.env, "catalog", "apply", "-f", f, "--prune")
		if err != nil || strings.TrimSpace(out) != "No changes (9 unchanged)." {
			t.Errorf("apply of %s again = %q, %v; want no changes", filepath.Base(f), out, err)
		}
	}
	if n := w.writes(t); n != 9 {
		t.Errorf("the repeated applies made %d write calls", n-9)
	}

	// A price and a display name: two updates.
	changed := strings.Replace(strings.Replace(catalogYAML, "unit_amount: 3\n", "unit_amount: 4\n", 1),
		"display_name: Pro\n", "display_name: Pro plan\n", 1)
	out, err = run(t, w.env, "catalog", "apply", "-f", w.file(t, "changed.yaml", changed))
	if err != nil {
		t.Fatalf("apply of the changes = %v\n%s", err, out)
	}
	for _, row := range []string{"update unit calls_fee unit_amount: 3 → 4", `update plan pro display_name: "Pro" → "Pro plan"`,
		"Plan: 0 to create, 2 to update, 0 to delete; 7 unchanged.", "Applied 2 of 2 changes."} {
		if !hasRow(out, row) {
			t.Errorf("apply of the changes lacks the row %q:\n%s", row, out)
		}
	}
	if got := w.export(t); !strings.Contains(got, "    unit_amount: 4\n") || !strings.Contains(got, "display_name: Pro plan\n") {
		t.Errorf("export after the changes:\n%s", got)
	}

	// Without the legacy plan and the tax rate: kept without --prune;
	// with it the plan goes and the tax rate stays, as the API has it.
	fewer := strings.Replace(changed, "  - name: legacy\n    display_name: Legacy\n    menus: [standard]\n", "", 1)
	fewer = fewer[:strings.Index(fewer, "tax_rates:")]
	fewerFile := w.file(t, "fewer.yaml", fewer)
	before := w.writes(t)
	out, err = run(t, w.env, "catalog", "apply", "-f", fewerFile)
	if err != nil || !hasRow(out, "keep plan legacy not in the file (--prune deletes it)") ||
		!hasRow(out, "keep tax_rate vat not in the file; kept (the API cannot delete tax rates)") || !hasRow(out, "No changes (7 unchanged, 2 kept).") {
		t.Errorf("apply without the legacy plan = %v:\n%s", err, out)
	}
	out, err = run(t, w.env, "catalog", "apply", "-f", fewerFile, "--prune", "--dry-run")
	if err != nil || !hasRow(out, "delete plan legacy") || !hasRow(out, "keep tax_rate vat kept (the API cannot delete tax rates)") {
		t.Errorf("apply --prune --dry-run = %v:\n%s", err, out)
	}
	if n := w.writes(t); n != before {
		t.Errorf("apply without --prune and the dry run made %d write calls", n-before)
	}
	out, err = run(t, w.env, "catalog", "apply", "-f", fewerFile, "--prune")
	if err != nil || !hasRow(out, "Plan: 0 to create, 0 to update, 1 to delete; 7 unchanged, 1 kept.") || !hasRow(out, `applied delete plan "legacy"`) {
		t.Errorf("apply --prune = %v:\n%s", err, out)
	}
	got := w.export(t)
	if strings.Contains(got, "legacy") || !strings.Contains(got, "name: vat") {
		t.Errorf("export after the prune still has the legacy plan or lacks the tax rate:\n%s", got)
	}
	out, err = run(t, w.env, "catalog", "apply", "-f", fewerFile, "--prune")
	if err != nil || !strings.HasPrefix(out, "ACTION") || !hasRow(out, "No changes (7 unchanged, 1 kept).") {
		t.Errorf("apply --prune again = %v:\n%s", err, out)
	}
}

// TestCatalogApplyJSON checks --json: one JSON document with every
// change, its fields and its status, for a dry run and a real run.
func TestCatalogApplyJSON(t *testing.T) {
	w := newCatalogWorld(t)
	file := w.file(t, "catalog.yaml", catalogYAML)
	type doc struct {
		DryRun  bool `json:"dry_run"`
		Changes []struct {
			Action, Kind, Name, Status string
			Fields                     []struct{ Field, From, To string }
		} `json:"changes"`
		Summary map[string]int `json:"summary"`
		Applied int            `json:"applied"`
	}
	decode := func(out string) doc {
		t.Helper()
		var d doc
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("the output is not JSON (%v):\n%s", err, out)
		}
		return d
	}
	out, err := run(t, w.env, "catalog", "apply", "-f", file, "--json", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	d := decode(out)
	if !d.DryRun || len(d.Changes) != 9 || d.Changes[0].Action != "create" || d.Changes[0].Kind != "meter" || d.Changes[0].Status != "planned" ||
		d.Summary["create"] != 9 || d.Applied != 0 {
		t.Errorf("apply --json --dry-run = %+v", d)
	}
	if _, err := run(t, w.env, "catalog", "apply", "-f", file, "--json"); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(catalogYAML, "unit_amount: 3\n", "unit_amount: 4\n", 1)
	out, err = run(t, w.env, "catalog", "apply", "-f", w.file(t, "changed.yaml", changed), "--json")
	if err != nil {
		t.Fatal(err)
	}
	d = decode(out)
	var updates []string
	for _, c := range d.Changes {
		if c.Action == "update" {
			updates = append(updates, c.Name+" "+c.Status)
			if len(c.Fields) != 1 || c.Fields[0].Field != "unit_amount" || c.Fields[0].From != "3" || c.Fields[0].To != "4" {
				t.Errorf("the update's fields = %+v", c.Fields)
			}
		} else if c.Status != "unchanged" {
			t.Errorf("change %+v, want unchanged", c)
		}
	}
	if strings.Join(updates, ",") != "calls_fee applied" || d.Applied != 1 || d.Summary["unchanged"] != 8 {
		t.Errorf("apply --json of a price change = %+v", d)
	}
}

// TestCatalogApplyRefusals: a bad file is an error naming every problem
// and writes nothing; a change the server refuses (the price of a used
// unit) stops the apply with the server's error after what was done.
func TestCatalogApplyRefusals(t *testing.T) {
	w := newCatalogWorld(t)
	bad := w.file(t, "bad.yaml", `version: 1
meters:
  - unit_name: calls
units:
  - name: calls_fee
    type: usage
    currency: JPY
    unit_amount: 3
    metering_unit_name: calls
    colour: blue
  - name: calls_fee
    type: fixed
    currency: JPY
    unit_amount: 1
    recurring_interval: month
menus:
  - name: m
    units: [calls_fee]
  - name: n
    units: [nope]
`)
	_, err := run(t, w.env, "catalog", "apply", "-f", bad)
	want := []string{
		`bad.yaml:10: units[0].colour: unknown key "colour"`,
		`bad.yaml:11: units[1].name: "calls_fee" is already the name of units[0]`,
		// checked against the server in the same run, with no write
		`bad.yaml:20: menus[1].units[0]: no pricing unit named "nope" in the file or on the server`,
		"3 problems, nothing was changed",
	}
	if err == nil {
		t.Fatal("apply of a bad file succeeded")
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error lacks %q:\n%v", s, err)
		}
	}
	// The reference is checked against the server once the file is sound.
	unknownRef := w.file(t, "ref.yaml", "version: 1\nmenus:\n  - name: n\n    units: [calls_fee, nope]\n")
	_, err = run(t, w.env, "catalog", "apply", "-f", unknownRef)
	if err == nil || !strings.Contains(err.Error(), `ref.yaml:4: menus[0].units[0]: no pricing unit named "calls_fee" in the file or on the server`) ||
		!strings.Contains(err.Error(), `ref.yaml:4: menus[0].units[1]: no pricing unit named "nope"`) || !strings.Contains(err.Error(), "2 problems, nothing was changed") {
		t.Errorf("apply with unknown references = %v", err)
	}
	if n := w.writes(t); n != 0 {
		t.Errorf("the bad files made %d write calls", n)
	}

	// The server refuses a used unit's new price: the meter's new display
	// name (applied first) stays, the rest is not tried.
	file := w.file(t, "catalog.yaml", catalogYAML)
	if _, err := run(t, w.env, "catalog", "apply", "-f", file); err != nil {
		t.Fatal(err)
	}
	planID := ""
	_, plans := do(t, signed(t, w.creds, "GET", w.srv.url+"/v1/pricing/plans", nil, nil))
	var ps struct {
		Plans []struct{ ID, Name string } `json:"pricing_plans"`
	}
	_ = json.Unmarshal([]byte(plans), &ps)
	for _, p := range ps.Plans {
		if p.Name == "pro" {
			planID = p.ID
		}
	}
	body, _ := json.Marshal(map[string]any{"plan_ids": []string{planID}})
	if code, out := do(t, signed(t, w.creds, "PATCH", w.srv.url+"/v1/pricing/plans/used", body, nil)); code != 200 {
		t.Fatalf("mark used = %d %s", code, out)
	}
	changed := strings.NewReplacer("unit_amount: 3\n", "unit_amount: 4\n", "display_name: Calls\n", "display_name: Requests\n",
		"display_name: Legacy\n", "display_name: Old\n").Replace(catalogYAML)
	out, err := run(t, w.env, "catalog", "apply", "-f", w.file(t, "changed.yaml", changed))
	if err == nil || !strings.Contains(err.Error(), "catalog apply stopped after 1 of 3 changes: update unit \"calls_fee\"") ||
		!strings.Contains(err.Error(), "409 used_object") {
		t.Errorf("apply of a used unit's price = %v", err)
	}
	if !hasRow(out, `applied update meter "calls"`) || !hasRow(out, `failed update unit "calls_fee"`) || !hasRow(out, "Applied 1 of 3 changes.") ||
		strings.Contains(out, `plan "legacy"`) {
		t.Errorf("apply of a used unit's price printed:\n%s", out)
	}
	got := w.export(t)
	if !strings.Contains(got, "display_name: Requests\n") || strings.Contains(got, "display_name: Old\n") || !strings.Contains(got, "    unit_amount: 3\n") {
		t.Errorf("export after the refused apply:\n%s", got)
	}
	out, err = run(t, w.env, "catalog", "apply", "-f", w.file(t, "changed.yaml", changed), "--json")
	var d struct {
		Changes []struct{ Name, Status, Error string } `json:"changes"`
	}
	if err == nil || json.Unmarshal([]byte(out), &d) != nil {
		t.Fatalf("apply --json of the refused change = %q, %v; want JSON and an error", out, err)
	}
	for _, c := range d.Changes {
		if c.Name == "calls_fee" && (c.Status != "failed" || !strings.Contains(c.Error, "used_object")) || c.Name == "legacy" && c.Status != "pending" {
			t.Errorf("change %+v", c)
		}
	}

	for _, args := range [][]string{{"catalog"}, {"catalog", "nope"}, {"catalog", "apply"}, {"catalog", "apply", "-f", file, "extra"},
		{"catalog", "export", "extra"}, {"catalog", "export", "--server", "ftp://x"}} {
		if _, err := run(t, w.env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if _, err := run(t, w.env, "catalog", "apply", "-f", filepath.Join(w.dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read catalog file") {
		t.Errorf("apply of a missing file = %v", err)
	}
}
