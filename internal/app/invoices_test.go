package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/testenv"
)

// invoiceWorld is a served binary and a SaaS on it (in UTC) with a
// catalog: plan "metered" prices calls at ¥3 each and seats (a max
// meter) on the digest's graduated tiers, with a 10 % exclusive tax.
type invoiceWorld struct {
	srv    *server
	creds  saas.Credentials
	env    map[string]string
	tenant string
	plan   any // the plan's and tax rate's ids
	tax    any
}

// call sends a signed JSON request to the server and requires status want.
func (w *invoiceWorld) call(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	code, out := do(t, signed(t, w.creds, method, w.srv.url+path, b, nil))
	if code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(out), &m)
	return m
}

func newInvoiceWorld(t *testing.T) *invoiceWorld { return newInvoiceWorldIn(t, t.TempDir()) }

// newInvoiceWorldIn serves the binary on the SQLite data directory dir.
func newInvoiceWorldIn(t *testing.T, dir string) *invoiceWorld {
	t.Helper()
	c := saas.Credentials{SaaSID: "invoice-saas", APIKey: "invoice-key", SecretKey: "invoice-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey, "SAASPLANE_ACCESS_LOG": "false"}
	w := &invoiceWorld{srv: serve(t, env, "--data", dir), creds: c, env: env}
	env["SAASPLANE_SERVER"] = w.srv.url

	const P = "/v1/pricing"
	w.call(t, "POST", P+"/metering/units", map[string]any{"unit_name": "calls", "display_name": "Calls", "description": "API calls"}, 201)
	w.call(t, "POST", P+"/metering/units", map[string]any{"unit_name": "seats", "display_name": "Seats", "description": "seats", "aggregate_usage": "max"}, 201)
	tiers := []map[string]any{{"up_to": 10, "unit_amount": 100, "flat_amount": 0, "inf": false}, {"up_to": 20, "unit_amount": 90, "flat_amount": 0, "inf": false},
		{"up_to": 30, "unit_amount": 80, "flat_amount": 0, "inf": false}, {"up_to": 0, "unit_amount": 70, "flat_amount": 0, "inf": true}}
	calls := w.call(t, "POST", P+"/units", map[string]any{"name": "calls_fee", "display_name": "API calls", "description": "per call", "currency": "JPY",
		"type": "usage", "unit_amount": 3, "upper_count": 0, "metering_unit_name": "calls"}, 201)["id"]
	seats := w.call(t, "POST", P+"/units", map[string]any{"name": "seats_fee", "display_name": "Seats", "description": "per seat", "currency": "JPY",
		"type": "tiered_usage", "upper_count": 0, "metering_unit_name": "seats", "tiers": tiers}, 201)["id"]
	menu := w.call(t, "POST", P+"/menus", map[string]any{"name": "metered menu", "display_name": "Metered", "description": "menu", "unit_ids": []any{calls, seats}}, 201)["id"]
	w.plan = w.call(t, "POST", P+"/plans", map[string]any{"name": "metered", "display_name": "Metered", "description": "plan", "menu_ids": []any{menu}}, 201)["id"]
	w.tax = w.call(t, "POST", P+"/tax-rates", map[string]any{"name": "jct", "display_name": "JCT", "percentage": 10, "inclusive": false, "country": "JP", "description": "10%"}, 201)["id"]
	w.tenant = w.call(t, "POST", "/v1/auth/tenants", map[string]any{"name": "acme", "attributes": map[string]any{}, "back_office_staff_email": "staff@example.com"}, 201)["id"].(string)
	w.call(t, "PUT", "/v1/auth/tenants/"+w.tenant+"/plans", map[string]any{"next_plan_id": w.plan, "next_plan_tax_rate_id": w.tax}, 200)
	return w
}

// usage records count on the tenant's meter at the Unix second ts.
func (w *invoiceWorld) usage(t *testing.T, meter string, ts int64, method string, count int) {
	t.Helper()
	path := "/v1/pricing/metering/tenants/" + w.tenant + "/units/" + meter + "/timestamp/" + strconv.FormatInt(ts, 10)
	w.call(t, "PUT", path, map[string]any{"method": method, "count": count}, 200)
}

// rows is out with each line's cells joined by one space, so tests name
// a row without counting the table's padding.
func rows(out string) []string {
	var rs []string
	for _, l := range strings.Split(out, "\n") {
		rs = append(rs, strings.Join(strings.Fields(l), " "))
	}
	return rs
}

func hasRow(out, row string) bool {
	for _, r := range rows(out) {
		if r == row {
			return true
		}
	}
	return false
}

// TestInvoiceClientCommands runs the invoices commands against a served
// binary on the real clock: the plan is assigned now, so the current
// month previews to exact amounts (metered units only: no proration by
// the second), the previous month has nothing to invoice, and the current
// one has not ended.
func TestInvoiceClientCommands(t *testing.T) {
	w := newInvoiceWorld(t)
	now := time.Now().UTC()
	ts := now.Unix() // at or after the plan's assignment, in the current month
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	current, previous := month.Format("2006-01"), month.AddDate(0, -1, 0).Format("2006-01")
	w.usage(t, "calls", ts, "add", 1234)
	w.usage(t, "seats", ts, "direct", 12)
	w.usage(t, "seats", ts+1, "direct", 15)
	env := w.env

	// 1,234 calls × ¥3; seats max 15: 10 × ¥100 + 5 × ¥90; 10 % of ¥5,152
	// is ¥515.2, rounded down.
	out, err := run(t, env, "invoices", "preview", "--tenant", w.tenant, "--period", current)
	if err != nil {
		t.Fatalf("invoices preview = %v", err)
	}
	last := month.AddDate(0, 1, -1).Format(time.DateOnly)
	for _, row := range []string{"INVOICE preview", "TENANT " + w.tenant, "PERIOD " + current + " (" + month.Format(time.DateOnly) + " – " + last + ", UTC)",
		"CURRENCY JPY", "STATUS preview", "UNIT TYPE METER QUANTITY AMOUNT NOTE",
		"API calls usage calls 1234 ¥3,702", "Seats tiered_usage seats 15 ¥1,450",
		"SUBTOTAL ¥5,152", "TAX JCT 10% exclusive on ¥5,152 ¥515", "TOTAL ¥5,667"} {
		if !hasRow(out, row) {
			t.Errorf("invoices preview lacks the row %q:\n%s", row, out)
		}
	}

	out, err = run(t, env, "invoices", "preview", "--json", "--tenant", w.tenant, "--period", current)
	var pv map[string]any
	if err != nil || json.Unmarshal([]byte(out), &pv) != nil {
		t.Fatalf("invoices preview --json = %q, %v; want JSON", out, err)
	}
	if pv["status"] != "preview" || pv["total"] != 5667.0 || pv["tenant_id"] != w.tenant || pv["invoice_id"] != nil {
		t.Errorf("invoices preview --json = %v", pv)
	}

	// The server's refusals are the command's errors, with their type.
	for period, want := range map[string]string{previous: "409 nothing_to_invoice", current: "409 period_not_ended"} {
		if _, err := run(t, env, "invoices", "finalize", "--tenant", w.tenant, "--period", period); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("invoices finalize %s = %v, want the server's %s", period, err, want)
		}
	}
	if _, err := run(t, env, "invoices", "preview", "--tenant", w.tenant, "--period", "2026-13"); err == nil || !strings.Contains(err.Error(), "400 invalid_request") {
		t.Errorf("invoices preview of month 13 = %v, want the server's 400", err)
	}

	out, err = run(t, env, "invoices", "list")
	if err != nil || strings.Join(rows(out), "\n") != "NUMBER INVOICE TENANT PERIOD CURRENCY TOTAL FINALIZED\n" {
		t.Errorf("invoices list = %q, %v; want the header of an empty list", out, err)
	}
	out, err = run(t, env, "invoices", "list", "--json", "--tenant", w.tenant, "--period", previous, "--limit", "5")
	if err != nil || strings.TrimSpace(out) != `{"invoices":[]}` {
		t.Errorf("invoices list --json = %q, %v", out, err)
	}
	if _, err := run(t, env, "invoices", "list", "--tenant", "nobody"); err == nil || !strings.Contains(err.Error(), "404 not_found") {
		t.Errorf("invoices list --tenant nobody = %v, want the server's 404", err)
	}

	page := filepath.Join(t.TempDir(), "nope.html")
	for _, args := range [][]string{{"invoices", "show", "nope"}, {"invoices", "show", "--json", "nope"}, {"invoices", "show", "nope", "--html", page}} {
		if _, err := run(t, env, args...); err == nil || !strings.Contains(err.Error(), `404 not_found: invoice "nope" not found`) {
			t.Errorf("%v = %v, want the server's 404", args, err)
		}
	}
	if _, err := os.Stat(page); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed show wrote %s (%v)", page, err)
	}

	for _, args := range [][]string{
		{"invoices"}, {"invoices", "nope"},
		{"invoices", "preview", "--period", current}, {"invoices", "finalize", "--tenant", w.tenant},
		{"invoices", "preview", "--tenant", w.tenant, "--period", current, "extra"},
		{"invoices", "show"}, {"invoices", "show", "a", "b"}, {"invoices", "show", "a", "--html", page, "--json"},
		{"invoices", "list", "--limit", "0"}, {"invoices", "list", "--bogus"},
		{"invoices", "list", "--server", "ftp://x"}, {"invoices", "preview", "--tenant", "t", "--period", current, "--server", "ftp://x"},
	} {
		if _, err := run(t, env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	noKey := map[string]string{"SAASPLANE_SERVER": w.srv.url, "SAASUS_SAAS_ID": w.creds.SaaSID}
	if _, err := run(t, noKey, "invoices", "list"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("without credentials: err = %v, want a usage error", err)
	}
}

// TestInvoiceCommandsOnFinalizedInvoice runs finalize, show and run
// against a served binary, on a tenant whose plan was assigned on the
// first of last month (the assignment is moved back in the database, as
// the server's clock cannot be): finalize tells 201 from 200, show prints
// the tables and writes the page to a file or to stdout, and run
// finalizes every other tenant with a progress bar.
func TestInvoiceCommandsOnFinalizedInvoice(t *testing.T) {
	dir := t.TempDir()
	w := newInvoiceWorldIn(t, dir)
	beta := w.call(t, "POST", "/v1/auth/tenants", map[string]any{"name": "beta", "attributes": map[string]any{}, "back_office_staff_email": "staff@example.com"}, 201)["id"].(string)
	w.call(t, "PUT", "/v1/auth/tenants/"+beta+"/plans", map[string]any{"next_plan_id": w.plan, "next_plan_tax_rate_id": w.tax}, 200)
	month := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	previous := month.Format("2006-01")
	db, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.WriteRaw(t.Context(), `UPDATE tenant_plan_histories SET applied_at = ?`, month.UnixMicro()); err != nil {
		t.Fatal(err)
	}
	mid := month.AddDate(0, 0, 10).Unix()
	w.usage(t, "calls", mid, "add", 1000)
	w.usage(t, "seats", mid, "direct", 15)
	env := w.env

	// 1,000 calls × ¥3 and 15 seats (10 × ¥100 + 5 × ¥90), 10 % on top.
	args := []string{"invoices", "finalize", "--tenant", w.tenant, "--period", previous}
	out, err := run(t, env, args...)
	if err != nil || !strings.HasPrefix(out, "Finalized invoice #1 of tenant "+w.tenant+" for "+previous+" now (201 Created).") || !hasRow(out, "TOTAL ¥4,895") {
		t.Fatalf("first finalize = %q, %v", out, err)
	}
	out, err = run(t, env, args...)
	if err != nil || !strings.HasPrefix(out, "The period already had invoice #1 of tenant "+w.tenant+" for "+previous+" (200 OK)") {
		t.Errorf("second finalize = %q, %v", out, err)
	}
	out, err = run(t, env, append(args, "--json")...)
	var inv map[string]any
	if err != nil || json.Unmarshal([]byte(out), &inv) != nil || inv["status"] != "finalized" || inv["number"] != 1.0 {
		t.Fatalf("finalize --json = %q, %v; want the server's JSON only", out, err)
	}
	id := inv["invoice_id"].(string)

	out, err = run(t, env, "invoices", "show", id)
	for _, row := range []string{"INVOICE #1", "ID " + id, "STATUS finalized", "API calls usage calls 1000 ¥3,000",
		"Seats tiered_usage seats 15 ¥1,450", "TAX JCT 10% exclusive on ¥4,450 ¥445", "TOTAL ¥4,895"} {
		if err != nil || !hasRow(out, row) {
			t.Errorf("invoices show lacks the row %q (%v):\n%s", row, err, out)
		}
	}
	file := filepath.Join(t.TempDir(), "invoice.html")
	if out, err := run(t, env, "invoices", "show", id, "--html", file); err != nil || out != "" {
		t.Fatalf("show --html FILE = %q, %v", out, err)
	}
	page, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(page, []byte(`id="total">¥4,895<`)) || !bytes.Contains(page, []byte("<dd>"+w.creds.SaaSID+"</dd>")) {
		t.Errorf("the page written (%v) lacks the total or the issuer:\n%.400s", err, page)
	}
	out, err = run(t, env, "invoices", "show", "--html", "-", id)
	if err != nil || out != string(page) {
		t.Errorf("show --html - = %.80q, %v; want the same page on stdout", out, err)
	}

	// The run finalizes beta's invoice and counts acme's as existing.
	out, err = run(t, env, "invoices", "run", "--period", previous)
	if err != nil || !hasRowPrefix(out, previous+" 2 1 1 0 0") {
		t.Errorf("invoices run = %q, %v; want 2 tenants: 1 finalized, 1 existing", out, err)
	}
	out, err = run(t, env, "invoices", "list", "--period", previous)
	if err != nil || len(rows(strings.TrimSpace(out))) != 3 {
		t.Errorf("invoices list after the run = %q, %v; want two invoices", out, err)
	}
	for _, args := range [][]string{{"invoices", "run"}, {"invoices", "run", "--period", previous, "extra"}} {
		if _, err := run(t, env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if _, err := run(t, env, "invoices", "run", "--period", month.AddDate(0, 1, 0).Format("2006-01")); err == nil || !strings.Contains(err.Error(), "409 period_not_ended") {
		t.Errorf("run of the current month = %v, want the server's 409", err)
	}
}

// hasRowPrefix reports whether a row of out ends with suffix after its
// first cell (the run's id).
func hasRowPrefix(out, suffix string) bool {
	for _, r := range rows(out) {
		if _, rest, ok := strings.Cut(r, " "); ok && rest == suffix {
			return true
		}
	}
	return false
}

// hostile is a unit name a page must show as text, never run.
const hostile = `<script>alert("x")</script>`

// pageInvoice is the formatting tests' finalized Tokyo invoice (calls,
// seats on graduated tiers, a credit adjusting an earlier invoice, a 10 %
// tax) with a hostile name on its first unit.
func pageInvoice(t *testing.T) billing.Invoice {
	t.Helper()
	inv := app.SampleInvoice()
	inv.Lines[0].DisplayName = hostile
	return inv
}

// The page shows the amounts as people write them, escapes what the
// catalog holds, lists each line's provenance, and is self-contained.
func TestInvoicePage(t *testing.T) {
	inv := pageInvoice(t)
	var b bytes.Buffer
	if err := app.RenderInvoicePage(&b, "my-saas", inv); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`<html lang="en">`, "<caption>Charges</caption>", `<th scope="col">`, `<th scope="row"`, "@media print",
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	text := html.UnescapeString(page) // html/template escapes some characters of text, e.g. + in UTC+09:00
	for _, want := range []string{"Invoice #7", "my-saas", "acme", "2026-10 (2026-10-01 – 2026-10-31, UTC+09:00)", "2026-11-01",
		"¥3,702", "¥1,450", "-¥60", "adjusts 2026-09 #6", "¥5,092", "消費税 10% (exclusive) on ¥5,092", "¥509", `id="total">¥5,601<`,
		"Provenance", inv.Lines[0].Provenance.UnitHash, inv.Lines[1].Provenance.UnitHash,
		"2026-09-30T15:00:00Z", "2026-10-31T15:00:00Z", "2026-08-31T15:00:00Z", "1234", ">0<span class=\"note\">20 billed before<", ">max<", ">sum<",
		"usage: ¥3 per unit", "tiered_usage: up to 10 at ¥100; up to 20 at ¥90; above at ¥70", billing.Engine} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<link", " src=", " href=", "http://", "https://", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("the page holds %q: it must be self-contained and script-free", banned)
		}
	}
}

// TestInvoicePageInBrowser opens the rendered page from a file in
// headless Chromium: the total is visible, the hostile unit name is text
// and not a script, and the whole page is kept as a screenshot.
func TestInvoicePageInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1024, 800)
	dir := testenv.Screenshots(t, "invoices")
	var b bytes.Buffer
	if err := app.RenderInvoicePage(&b, "my-saas", pageInvoice(t)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "invoice.html")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String()), chromedp.WaitVisible(chromedp.CSS("#total"))); err != nil {
		t.Fatalf("opening %s: %v", u.String(), err)
	}
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("tfoot .total #total")))
	if err != nil || total != "¥5,601" {
		t.Errorf("the total shows %q (%v), want ¥5,601", total, err)
	}
	item, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".lines tbody tr:first-child th")))
	if err != nil || item != hostile {
		t.Errorf("the first item shows %q (%v), want the unit name as text", item, err)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.scripts.length"))
	if err != nil || scripts != 0 {
		t.Errorf("the page has %d scripts (%v), want none", scripts, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "invoice.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot in %s", dir)
}
