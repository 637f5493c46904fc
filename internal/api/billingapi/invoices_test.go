package billingapi_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

const (
	P = "/v1/pricing"
	A = "/v1/auth"
	B = "/v1/billing"
)

type obj = apitest.Obj

var tokyo = mustZone("Asia/Tokyo")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// jst is a wall time in Tokyo, the test SaaS's zone, in 2026.
func jst(month time.Month, day, hour, minute, second int) time.Time {
	return time.Date(2026, month, day, hour, minute, second, 0, tokyo)
}

// conforms fails the test unless r is a response our own document of
// /v1/billing allows.
func conforms(t testing.TB, r *apitest.Response) *apitest.Response {
	t.Helper()
	return apitest.Conforms(t, "/v1/billing", r)
}

// world is one SaaS in Tokyo with a catalog: plan "starter" (a monthly
// fixed fee of ¥1,000, calls at ¥2, seats priced graduated by the digest's
// worked tiers on a max meter) and plan "pro" (a fixed ¥3,000), and a 10 %
// exclusive tax.
type world struct {
	srv           *apitest.Server
	clk           *apitest.Clock
	c             apitest.Client
	starter, pro  string
	tax           string
	units         map[string]string
	tenant, empty string
}

func newWorld(t *testing.T, b apitest.Backend) *world {
	t.Helper()
	clk := apitest.NewClock(jst(9, 20, 12, 0, 0))
	srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now})
	w := &world{srv: srv, clk: clk, c: srv.NewSaaS(t), units: map[string]string{}}
	w.populate(t)
	w.tenant, w.empty = w.newTenant(t, "acme"), w.newTenant(t, "idle")
	return w
}

// populate sets the SaaS's zone to Tokyo and creates the catalog.
func (w *world) populate(t *testing.T) {
	t.Helper()
	srv := w.srv
	if _, err := srv.DB.WriteRaw(t.Context(), "UPDATE saas SET time_zone = ? WHERE id = ?", "Asia/Tokyo", w.c.SaaSID); err != nil {
		t.Fatal(err)
	}
	w.c.Do(t, "POST", P+"/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": "API calls"}).Want(t, 201)
	w.c.Do(t, "POST", P+"/metering/units", obj{"unit_name": "seats", "display_name": "Seats", "description": "seats in use", "aggregate_usage": "max"}).Want(t, 201)
	unit := func(body obj) string {
		body["display_name"], body["description"], body["currency"] = "Unit "+body["name"].(string), "a unit", "JPY"
		id := w.c.Do(t, "POST", P+"/units", body).Want(t, 201).JSON(t)["id"].(string)
		w.units[body["name"].(string)] = id
		return id
	}
	tiers := []obj{{"up_to": 10, "unit_amount": 100, "flat_amount": 0, "inf": false}, {"up_to": 20, "unit_amount": 90, "flat_amount": 0, "inf": false},
		{"up_to": 30, "unit_amount": 80, "flat_amount": 0, "inf": false}, {"up_to": 0, "unit_amount": 70, "flat_amount": 0, "inf": true}}
	base := unit(obj{"name": "base", "type": "fixed", "unit_amount": 1000, "recurring_interval": "month"})
	calls := unit(obj{"name": "calls_fee", "type": "usage", "unit_amount": 2, "upper_count": 0, "metering_unit_name": "calls"})
	seats := unit(obj{"name": "seats_fee", "type": "tiered_usage", "upper_count": 0, "metering_unit_name": "seats", "tiers": tiers})
	proFee := unit(obj{"name": "pro_fee", "type": "fixed", "unit_amount": 3000, "recurring_interval": "month"})
	plan := func(name string, unitIDs ...string) string {
		menu := w.c.Do(t, "POST", P+"/menus", obj{"name": name + " menu", "display_name": name, "description": "menu", "unit_ids": unitIDs}).Want(t, 201).JSON(t)["id"].(string)
		return w.c.Do(t, "POST", P+"/plans", obj{"name": name, "display_name": name, "description": "plan", "menu_ids": []string{menu}}).Want(t, 201).JSON(t)["id"].(string)
	}
	w.starter, w.pro = plan("starter", base, calls, seats), plan("pro", proFee)
	w.tax = w.c.Do(t, "POST", P+"/tax-rates", obj{"name": "jct", "display_name": "消費税", "percentage": 10, "inclusive": false, "country": "JP", "description": "10%"}).Want(t, 201).JSON(t)["id"].(string)
}

func (w *world) newTenant(t *testing.T, name string) string {
	t.Helper()
	return w.c.Do(t, "POST", A+"/tenants", obj{"name": name, "attributes": obj{}, "back_office_staff_email": "staff@example.com"}).Want(t, 201).JSON(t)["id"].(string)
}

func (w *world) assign(t *testing.T, at time.Time, plan string) { w.assignTo(t, w.tenant, at, plan) }

// assignTo gives a tenant a plan at once, the clock set to at.
func (w *world) assignTo(t *testing.T, tenant string, at time.Time, plan string) {
	t.Helper()
	w.clk.Set(at)
	w.c.Do(t, "PUT", A+"/tenants/"+tenant+"/plans", obj{"next_plan_id": plan, "next_plan_tax_rate_id": w.tax}).Want(t, 200)
}

// mixedPlan adds a plan pricing one unit in yen and one in dollars.
func (w *world) mixedPlan(t *testing.T) string {
	t.Helper()
	usd := w.c.Do(t, "POST", P+"/units", obj{"name": "usd_fee", "display_name": "USD fee", "description": "dollars", "currency": "USD",
		"type": "fixed", "unit_amount": 500, "recurring_interval": "month"}).Want(t, 201).JSON(t)["id"].(string)
	menu := w.c.Do(t, "POST", P+"/menus", obj{"name": "mixed menu", "display_name": "mixed", "description": "menu",
		"unit_ids": []string{w.units["base"], usd}}).Want(t, 201).JSON(t)["id"].(string)
	return w.c.Do(t, "POST", P+"/plans", obj{"name": "mixed", "display_name": "mixed", "description": "plan", "menu_ids": []string{menu}}).Want(t, 201).JSON(t)["id"].(string)
}

func (w *world) usage(t *testing.T, meter string, at time.Time, method string, count int) {
	t.Helper()
	path := P + "/metering/tenants/" + w.tenant + "/units/" + meter + "/timestamp/" + strconv.FormatInt(at.Unix(), 10)
	w.c.Do(t, "PUT", path, obj{"method": method, "count": count}).Want(t, 200)
}

// line finds the invoice's line of a unit (the first, or the adjustment).
func line(t *testing.T, inv map[string]any, unitID string, adjustment bool) map[string]any {
	t.Helper()
	for _, l := range inv["lines"].([]any) {
		m := l.(map[string]any)
		if m["pricing_unit_id"] == unitID && (m["adjusts"] != nil) == adjustment {
			return m
		}
	}
	t.Fatalf("no line of unit %s (adjustment %v) in %v", unitID, adjustment, inv["lines"])
	return nil
}

func wantNumbers(t *testing.T, what string, m map[string]any, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if got, _ := m[k].(float64); got != v {
			t.Errorf("%s %s = %v, want %v", what, k, m[k], v)
		}
	}
}

// TestInvoiceLifecycle: a month with a plan change mid-way is previewed,
// finalized once (numbered, immutable, returned again on a retry), listed
// and read; late usage for it shows on the next month's preview as an
// adjustment that names it.
func TestInvoiceLifecycle(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		w.assign(t, jst(10, 1, 0, 0, 0), w.starter)
		w.assign(t, jst(10, 16, 0, 0, 0), w.pro)
		w.clk.Set(jst(11, 1, 0, 30, 0))
		w.usage(t, "calls", jst(10, 2, 10, 0, 0), "add", 100)
		w.usage(t, "calls", jst(10, 15, 23, 59, 59), "add", 50)
		w.usage(t, "calls", jst(10, 16, 0, 0, 0), "add", 7) // pro prices no calls
		w.usage(t, "seats", jst(10, 3, 9, 0, 0), "direct", 15)
		w.usage(t, "seats", jst(10, 5, 9, 0, 0), "direct", 12)

		q := "?tenant_id=" + w.tenant + "&period=2026-10"
		pv := conforms(t, w.c.Do(t, "GET", B+"/invoices/preview"+q, nil).Want(t, 200)).JSON(t)
		// base: ¥1,000 × 15/31 days = 483.87 → 483 (JPY rounds down);
		// pro: ¥3,000 × 16/31 = 1,548.39 → 1,548; calls 150 × 2; seats
		// max 15 → 10 × 100 + 5 × 90; tax 10 % of 3,781 → 378.
		wantNumbers(t, "preview", pv, map[string]float64{"subtotal": 3781, "tax_amount": 378, "total": 4159, "period_start": float64(jst(10, 1, 0, 0, 0).Unix()), "period_end": float64(jst(11, 1, 0, 0, 0).Unix())})
		wantNumbers(t, "base", line(t, pv, w.units["base"], false), map[string]float64{"quantity": 1, "amount": 483})
		wantNumbers(t, "pro", line(t, pv, w.units["pro_fee"], false), map[string]float64{"quantity": 1, "amount": 1548})
		wantNumbers(t, "calls", line(t, pv, w.units["calls_fee"], false), map[string]float64{"quantity": 150, "amount": 300})
		wantNumbers(t, "seats", line(t, pv, w.units["seats_fee"], false), map[string]float64{"quantity": 15, "amount": 1450})
		if pv["status"] != "preview" || pv["currency"] != "JPY" || pv["tax_rate_id"] != w.tax || pv["invoice_id"] != nil || len(pv["lines"].([]any)) != 4 {
			t.Errorf("preview = %v", pv)
		}
		if m := line(t, pv, w.units["calls_fee"], false); m["metering_unit_name"] != "calls" {
			t.Errorf("calls line %v: no metering_unit_name", m)
		}

		inv := conforms(t, w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": "2026-10"}).Want(t, 201)).JSON(t)
		id, _ := inv["invoice_id"].(string)
		if id == "" || inv["number"] != 1.0 || inv["status"] != "finalized" || inv["total"] != 4159.0 {
			t.Fatalf("finalized %v", inv)
		}
		again := conforms(t, w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": "2026-10"}).Want(t, 200)).JSON(t)
		if again["invoice_id"] != id || again["number"] != 1.0 {
			t.Errorf("finalizing again gave %v, want invoice %s", again, id)
		}
		got := conforms(t, w.c.Do(t, "GET", B+"/invoices/"+id, nil).Want(t, 200)).JSON(t)
		list := conforms(t, w.c.Do(t, "GET", B+"/invoices?tenant_id="+w.tenant, nil).Want(t, 200)).JSON(t)["invoices"].([]any)
		if got["total"] != 4159.0 || len(list) != 1 || list[0].(map[string]any)["invoice_id"] != id {
			t.Errorf("get %v, list %v", got, list)
		}

		// Late usage: 25 more calls on 10 October, after the invoice.
		w.usage(t, "calls", jst(10, 10, 12, 0, 0), "add", 25)
		still := w.c.Do(t, "GET", B+"/invoices/"+id, nil).Want(t, 200).JSON(t)
		if still["total"] != 4159.0 {
			t.Errorf("a finalized invoice changed: %v", still)
		}
		nov := conforms(t, w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.tenant+"&period=2026-11", nil).Want(t, 200)).JSON(t)
		adj := line(t, nov, w.units["calls_fee"], true)
		wantNumbers(t, "adjustment", adj, map[string]float64{"quantity": 25, "amount": 50})
		if a := adj["adjusts"].(map[string]any); a["period"] != "2026-10" || a["invoice_id"] != id || a["number"] != 1.0 {
			t.Errorf("adjustment names %v, want invoice %s of 2026-10", a, id)
		}
		if p := adj["provenance"].(map[string]any); p["quantity"] != 175.0 || p["previous_quantity"] != 150.0 {
			t.Errorf("adjustment provenance %v, want 175 now, 150 billed", p)
		}
		// Pro for all of November (¥3,000) and the ¥50 adjustment.
		wantNumbers(t, "november", nov, map[string]float64{"subtotal": 3050, "tax_amount": 305, "total": 3355})
		w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": "2026-11"}).WantError(t, 409, "period_not_ended", "2026-11")

		// Once November is finalized, the adjustment is accounted for.
		w.clk.Set(jst(12, 1, 0, 0, 1))
		conforms(t, w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": "2026-11"}).Want(t, 201))
		dec := w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.tenant+"&period=2026-12", nil).Want(t, 200).JSON(t)
		if n := len(dec["lines"].([]any)); n != 1 {
			t.Errorf("december has %d lines, want the pro fee only: %v", n, dec["lines"])
		}
		page := conforms(t, w.c.Do(t, "GET", B+"/invoices?limit=1", nil).Want(t, 200)).JSON(t)
		if ps := page["invoices"].([]any); len(ps) != 1 || ps[0].(map[string]any)["number"] != 2.0 || page["next_before"] != 2.0 {
			t.Errorf("first page %v", page)
		}
		if ps := w.c.Do(t, "GET", B+"/invoices?limit=1&before=2", nil).Want(t, 200).JSON(t)["invoices"].([]any); len(ps) != 1 || ps[0].(map[string]any)["number"] != 1.0 {
			t.Errorf("second page %v", ps)
		}

		// Another SaaS sees none of it.
		other := w.srv.NewSaaS(t)
		other.Do(t, "GET", B+"/invoices/"+id, nil).WantError(t, 404, "", id)
		other.Do(t, "GET", B+"/invoices/preview"+q, nil).WantError(t, 404, "", w.tenant)
	})
}

// TestInvoiceRefusals: bad input and the rules that refuse answer 4xx in
// the SaaSus error body, naming what is wrong.
func TestInvoiceRefusals(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		w.clk.Set(jst(11, 2, 0, 0, 0))
		for _, q := range []string{"", "?tenant_id=" + w.tenant, "?period=2026-10"} {
			w.c.Do(t, "GET", B+"/invoices/preview"+q, nil).WantError(t, 400, "invalid_request")
		}
		for _, p := range []string{"2026-13", "26-10", "1969-12", "2026-1", "x"} {
			w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.tenant+"&period="+p, nil).WantError(t, 400, "invalid_request", "period")
		}
		w.c.Do(t, "GET", B+"/invoices/preview?tenant_id=nobody&period=2026-10", nil).WantError(t, 404, "", "nobody")
		empty := conforms(t, w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.empty+"&period=2026-10", nil).Want(t, 200)).JSON(t)
		if len(empty["lines"].([]any)) != 0 || empty["total"] != 0.0 || empty["currency"] != nil {
			t.Errorf("a tenant without a plan previews %v", empty)
		}
		w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.empty, "period": "2026-10"}).WantError(t, 409, "nothing_to_invoice", w.empty)
		w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant}).WantError(t, 400, "invalid_request", "period")
		w.c.Do(t, "POST", B+"/invoices", obj{"period": "2026-10"}).WantError(t, 400, "invalid_request", "tenant_id")
		w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": "2026-10", "extra": 1}).WantError(t, 400, "invalid_request", "extra")
		w.c.Do(t, "POST", B+"/invoices", obj{"tenant_id": w.tenant, "period": 202610}).WantError(t, 400, "invalid_request", "period")
		for _, q := range []string{"limit=0", "limit=1001", "limit=x", "before=0", "before=x"} {
			w.c.Do(t, "GET", B+"/invoices?"+q, nil).WantError(t, 400, "invalid_request")
		}
		w.c.Do(t, "GET", B+"/invoices?tenant_id=nobody", nil).WantError(t, 404, "", "nobody")
		w.c.Do(t, "GET", B+"/invoices/no-such-invoice", nil).WantError(t, 404, "", "no-such-invoice")
		// A yearly question for a monthly tenant, and the other way round.
		w.assign(t, jst(11, 2, 0, 0, 0), w.starter)
		w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.tenant+"&period=2026", nil).WantError(t, 400, "wrong_period", "YYYY-MM")
	})
}

// linesOf returns the invoice's non-adjustment lines of a unit, in order.
func linesOf(inv map[string]any, unitID string) []map[string]any {
	var out []map[string]any
	for _, l := range inv["lines"].([]any) {
		if m := l.(map[string]any); m["pricing_unit_id"] == unitID && m["adjusts"] == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestUsageSplitsWithinADay: plan changes at 14:37 and 09:00 cut days in
// two; each plan rates exactly the usage recorded while it held, to the
// second, for a sum meter and a max meter, and the whole days between
// come from the roll-ups.
func TestUsageSplitsWithinADay(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		w.assign(t, jst(10, 1, 0, 0, 0), w.starter)
		w.assign(t, jst(10, 16, 14, 37, 0), w.pro)
		w.assign(t, jst(10, 20, 9, 0, 0), w.starter)
		w.clk.Set(jst(11, 1, 1, 0, 0))
		for _, u := range []struct {
			meter  string
			at     time.Time
			method string
			n      int
		}{
			{"calls", jst(10, 15, 12, 0, 0), "add", 10},  // a whole day of the first starter
			{"calls", jst(10, 16, 14, 36, 59), "add", 5}, // the first starter's last second
			{"calls", jst(10, 16, 14, 37, 0), "add", 7},  // pro's first second: pro prices no calls
			{"calls", jst(10, 20, 8, 59, 59), "add", 3},  // pro's last second
			{"calls", jst(10, 20, 9, 0, 0), "add", 4},    // the second starter's first second
			{"seats", jst(10, 16, 10, 0, 0), "direct", 25},
			{"seats", jst(10, 16, 15, 0, 0), "direct", 40}, // under pro: not the first starter's max
			{"seats", jst(10, 20, 8, 0, 0), "direct", 30},  // under pro
			{"seats", jst(10, 25, 8, 0, 0), "direct", 12},
		} {
			w.usage(t, u.meter, u.at, u.method, u.n)
		}
		inv := w.c.Do(t, "GET", B+"/invoices/preview?tenant_id="+w.tenant+"&period=2026-10", nil).Want(t, 200).JSON(t)
		calls, seats := linesOf(inv, w.units["calls_fee"]), linesOf(inv, w.units["seats_fee"])
		if len(calls) != 2 || len(seats) != 2 {
			t.Fatalf("lines %v, want two starter segments", inv["lines"])
		}
		wantNumbers(t, "first calls", calls[0], map[string]float64{"quantity": 15, "amount": 30, "from": float64(jst(10, 1, 0, 0, 0).Unix()), "to": float64(jst(10, 16, 14, 37, 0).Unix())})
		wantNumbers(t, "second calls", calls[1], map[string]float64{"quantity": 4, "amount": 8, "from": float64(jst(10, 20, 9, 0, 0).Unix()), "to": float64(jst(11, 1, 0, 0, 0).Unix())})
		// 25 seats: 10 × 100 + 10 × 90 + 5 × 80; 12 seats: 10 × 100 + 2 × 90.
		wantNumbers(t, "first seats", seats[0], map[string]float64{"quantity": 25, "amount": 2300})
		wantNumbers(t, "second seats", seats[1], map[string]float64{"quantity": 12, "amount": 1180})
	})
}
