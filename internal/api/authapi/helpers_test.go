package authapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// A is the mount point of the tenant subset of the Auth API; P that of the
// Pricing API, where the plans and tax rates tenants refer to live.
const (
	A = "/v1/auth"
	P = "/v1/pricing"
)

// obj is a JSON object, as requests are written and responses decoded.
type obj = apitest.Obj

// ids names the objects a test's setup created.
type ids = apitest.IDs

// T0 is when every test's tenant clock starts: a plain mid-month moment, so
// that one month later is unambiguous.
var T0 = time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)

// env is what one test works with: a fresh SaaS on its own server whose
// tenant clock starts at T0, and the ids its setup created.
type env struct {
	c   apitest.Client
	clk *apitest.Clock
	x   ids
}

// newEnv serves db with a fresh clock at T0 and creates a SaaS on it.
func newEnv(t *testing.T, b apitest.Backend) *env {
	t.Helper()
	clk := apitest.NewClock(T0)
	srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now})
	return &env{c: srv.NewSaaS(t), clk: clk, x: ids{}}
}

// other returns a client of a second SaaS on the same server.
func (e *env) other(t *testing.T) apitest.Client {
	t.Helper()
	return e.c.Server.NewSaaS(t)
}

// ---- request bodies ----

func tenantBody(name string) obj {
	return obj{"name": name, "attributes": obj{}, "back_office_staff_email": "staff@example.com"}
}

func billingBody() obj {
	return obj{"name": "株式会社サンプル", "invoice_language": "ja-JP", "address": obj{
		"street": "1-2-3 Shibuya", "city": "Shibuya-ku", "state": "Tokyo", "country": "JP",
		"postal_code": "150-0002", "additional_address_info": "5F"}}
}

func attributeBody(name, typ string) obj {
	return obj{"attribute_name": name, "display_name": "Attr " + name, "attribute_type": typ}
}

// withAddress is billingBody with address fields changed (nil deletes).
func withAddress(kv ...any) obj {
	b := billingBody()
	b["address"] = apitest.With(b["address"].(obj), kv...)
	return b
}

// rawJSON is a JSON value sent as is, e.g. a number encoding/json would
// round.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// unix is t in Unix seconds, as the API writes times.
func unix(t time.Time) int64 { return t.Unix() }

// ---- calls ----

// get GETs path, requires 200 and returns the decoded object.
func get(t testing.TB, c apitest.Client, path string) obj {
	t.Helper()
	return c.Do(t, http.MethodGet, path, nil).Want(t, http.StatusOK).JSON(t)
}

// createTenant POSTs body, requires 201 and returns the tenant.
func createTenant(t testing.TB, c apitest.Client, body any) obj {
	t.Helper()
	return c.Do(t, http.MethodPost, A+"/tenants", body).Want(t, http.StatusCreated).JSON(t)
}

// newTenant creates a tenant without attributes and returns its id.
func newTenant(t testing.TB, c apitest.Client, name string) string {
	t.Helper()
	id, _ := createTenant(t, c, tenantBody(name))["id"].(string)
	if id == "" {
		t.Fatalf("POST /tenants: no id")
	}
	return id
}

func getTenant(t testing.TB, c apitest.Client, id string) obj {
	t.Helper()
	return get(t, c, A+"/tenants/"+id)
}

// listTenants returns the tenants of GET /tenants.
func listTenants(t testing.TB, c apitest.Client) []obj {
	t.Helper()
	var body struct {
		Tenants []obj `json:"tenants"`
	}
	c.Do(t, http.MethodGet, A+"/tenants", nil).Want(t, http.StatusOK).Decode(t, &body)
	if body.Tenants == nil {
		t.Fatalf("GET /tenants: no tenants array")
	}
	return body.Tenants
}

// putPlan sends PUT /tenants/{id}/plans and requires 200 with no body.
func putPlan(t testing.TB, c apitest.Client, id string, body any) {
	t.Helper()
	c.OKEmpty(t, http.MethodPut, A+"/tenants/"+id+"/plans", body)
}

func declare(t testing.TB, c apitest.Client, name, typ string) {
	t.Helper()
	c.Do(t, http.MethodPost, A+"/tenant-attributes", attributeBody(name, typ)).Want(t, http.StatusCreated)
}

// listAttributes returns the tenant_attributes of GET /tenant-attributes.
func listAttributes(t testing.TB, c apitest.Client) []obj {
	t.Helper()
	var body struct {
		Attrs []obj `json:"tenant_attributes"`
	}
	c.Do(t, http.MethodGet, A+"/tenant-attributes", nil).Want(t, http.StatusOK).Decode(t, &body)
	if body.Attrs == nil {
		t.Fatalf("GET /tenant-attributes: no tenant_attributes array")
	}
	return body.Attrs
}

// ---- the pricing catalog ----

// pricingPlan creates a plan of one menu with one fixed unit that recurs
// every interval ("month" or "year") and returns the plan id; the menu and
// unit ids go to x under name+"_menu" and name+"_unit" when x is not nil.
func pricingPlan(t testing.TB, c apitest.Client, name, interval string, x ids) string {
	t.Helper()
	unit := c.CreateID(t, P+"/units", obj{"name": name, "display_name": "Unit " + name, "description": "base fee",
		"type": "fixed", "currency": "JPY", "unit_amount": 1000, "recurring_interval": interval})
	menu := c.CreateID(t, P+"/menus", obj{"name": name, "display_name": "Menu " + name, "description": "menu", "unit_ids": []string{unit}})
	plan := c.CreateID(t, P+"/plans", obj{"name": name, "display_name": "Plan " + name, "description": "plan", "menu_ids": []string{menu}})
	if x != nil {
		x[name+"_menu"], x[name+"_unit"] = menu, unit
	}
	return plan
}

func taxRate(t testing.TB, c apitest.Client, name string) string {
	t.Helper()
	return c.CreateID(t, P+"/tax-rates", obj{"name": name, "display_name": "Tax " + name, "percentage": 10,
		"inclusive": false, "country": "JP", "description": "consumption tax"})
}

// catalog creates, in e's SaaS, the monthly plan "basic", the monthly plan
// "pro", the yearly plan "annual" and the tax rates "jct" and "zero", and a
// tenant "acme" without a plan. Keys: basic, pro, annual (and their _menu
// and _unit), jct, zero, tenant.
func catalog(t *testing.T, e *env) {
	t.Helper()
	e.x["basic"] = pricingPlan(t, e.c, "basic", "month", e.x)
	e.x["pro"] = pricingPlan(t, e.c, "pro", "month", e.x)
	e.x["annual"] = pricingPlan(t, e.c, "annual", "year", e.x)
	e.x["jct"] = taxRate(t, e.c, "jct")
	e.x["zero"] = taxRate(t, e.c, "zero")
	e.x["tenant"] = newTenant(t, e.c, "acme")
}

// wantPlanUsed checks the used flag of a plan, its menus and their units in
// the pricing catalog.
func wantPlanUsed(t testing.TB, c apitest.Client, planID string, used bool) {
	t.Helper()
	p := get(t, c, P+"/plans/"+planID)
	if p["used"] != used {
		t.Errorf("plan %s: used = %v, want %v", planID, p["used"], used)
	}
	ms, _ := p["pricing_menus"].([]any)
	if len(ms) == 0 {
		t.Fatalf("plan %s has no menus: %v", planID, p)
	}
	for _, m := range ms {
		m := m.(obj)
		if m["used"] != used {
			t.Errorf("plan %s menu %v: used = %v, want %v", planID, m["id"], m["used"], used)
		}
		for _, u := range m["units"].([]any) {
			if u := u.(obj); u["used"] != used {
				t.Errorf("plan %s unit %v: used = %v, want %v", planID, u["id"], u["used"], used)
			}
		}
	}
}

// ---- reading responses ----

// histories returns a tenant's plan_histories; it fails when the array is
// missing (it is required, [] when empty).
func histories(t testing.TB, tn obj) []obj {
	t.Helper()
	raw, ok := tn["plan_histories"].([]any)
	if !ok {
		t.Fatalf("tenant %v: plan_histories = %v, want an array", tn["id"], tn["plan_histories"])
	}
	out := make([]obj, len(raw))
	for i, v := range raw {
		out[i] = v.(obj)
	}
	return out
}

// wantFields fails unless o[k] equals want[k], compared as JSON, for every
// key of want.
func wantFields(t testing.TB, what string, o obj, want obj) {
	t.Helper()
	for k, w := range want {
		g, ok := o[k]
		if !ok {
			t.Errorf("%s: %s is absent, want %v", what, k, w)
			continue
		}
		if gs, ws := apitest.CanonJSON(g), apitest.CanonJSON(w); !bytes.Equal(gs, ws) {
			t.Errorf("%s: %s = %s, want %s", what, k, gs, ws)
		}
	}
}

// reservationKeys are the fields of a pending plan reservation on a tenant.
var reservationKeys = []string{"next_plan_id", "using_next_plan_from", "next_plan_tax_rate_id", "proration_behavior", "delete_usage"}

// periodKeys are the billing period fields of TenantDetail.
var periodKeys = []string{"current_plan_period_start", "current_plan_period_end"}

// wantPeriod checks a TenantDetail's billing period.
func wantPeriod(t testing.TB, tn obj, start, end time.Time) {
	t.Helper()
	wantFields(t, fmt.Sprintf("tenant period, want [%s, %s)", start.Format(time.RFC3339), end.Format(time.RFC3339)),
		tn, obj{"current_plan_period_start": unix(start), "current_plan_period_end": unix(end)})
}
