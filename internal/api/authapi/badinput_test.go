package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// bodyRoute is one route that takes a JSON body, with a valid body for it.
type bodyRoute struct {
	name   string
	method string
	path   string // under A
	valid  func(x ids) obj
}

var bodyRoutes = []bodyRoute{
	{"CreateTenant", "POST", "/tenants", func(ids) obj { return tenantBody("acme") }},
	{"UpdateTenant", "PATCH", "/tenants/{tenant}", func(ids) obj { return tenantBody("acme") }},
	{"UpdateTenantPlan", "PUT", "/tenants/{tenant}/plans", func(x ids) obj { return obj{"next_plan_id": x["basic"]} }},
	{"UpdateTenantBillingInfo", "PUT", "/tenants/{tenant}/billing-info", func(ids) obj { return billingBody() }},
	{"CreateTenantAttribute", "POST", "/tenant-attributes", func(ids) obj { return attributeBody("industry", "string") }},
}

// nothingChanged requires the tenants and the declarations to be as the
// setup left them.
func nothingChanged(t *testing.T, e *env, r *apitest.Response) {
	t.Helper()
	unchangedTenants(t, e, r)
	if got := listAttributes(t, e.c); len(got) != 0 {
		t.Errorf("declarations after a refused request: %v", got)
	}
	if plan := e.x["basic"]; plan != "" {
		wantPlanUsed(t, e.c, plan, false)
	}
}

// TestBadBodies: every malformed, mistyped or incomplete body of every
// route is a 4xx naming the field, never a 500, and writes nothing.
func TestBadBodies(t *testing.T) {
	t.Parallel()
	// Every case has a tenant; the plan route also has a plan to name.
	setup := func(rt bodyRoute) func(t *testing.T, e *env) {
		return func(t *testing.T, e *env) {
			if rt.name == "UpdateTenantPlan" {
				e.x["basic"] = pricingPlan(t, e.c, "basic", "month", nil)
			}
			withTenant(t, e)
			snapTenants(t, e)
		}
	}
	var cases []outcome
	add := func(rt bodyRoute, name string, body func(x ids) any, fields ...string) {
		o := invalidFor(rt.name+"/"+name, setup(rt), rt.method, rt.path, body, fields...)
		o.after = nothingChanged
		cases = append(cases, o)
	}
	// set returns a body: the route's valid body with kv applied.
	set := func(rt bodyRoute, kv ...any) func(x ids) any {
		return func(x ids) any { return apitest.With(rt.valid(x), kv...) }
	}
	for _, rt := range bodyRoutes {
		for _, raw := range []struct{ name, body string }{
			{"malformed JSON", `{"name":`},
			{"trailing comma", `{"name":"a",}`},
			{"empty body", ``},
			{"only spaces", " \n "},
			{"JSON array", `[]`},
			{"JSON string", `"tenant"`},
			{"JSON null", `null`},
			{"JSON number", `5`},
			{"trailing garbage", `{"name":"a"} x`},
			{"two objects", `{}{}`},
		} {
			add(rt, raw.name, apitest.Static(raw.body))
		}
		o := outcome{name: rt.name + "/2 MiB body", setup: setup(rt), method: rt.method, path: rt.path,
			body: apitest.Static(`{"name":"` + strings.Repeat("a", 2<<20) + `"}`), status: 413, typ: "payload_too_large", after: nothingChanged}
		cases = append(cases, o)
	}

	tenants := bodyRoutes[:2]
	for _, rt := range tenants {
		add(rt, "name missing", set(rt, "name", nil), "name")
		add(rt, "email missing", set(rt, "back_office_staff_email", nil), "back_office_staff_email")
		add(rt, "both missing", apitest.Static(obj{}), "name", "back_office_staff_email")
		add(rt, "name is a number", set(rt, "name", 5), "name")
		add(rt, "name is null", set(rt, "name", rawJSON("null")), "name")
		add(rt, "email is a bool", set(rt, "back_office_staff_email", true), "back_office_staff_email")
		add(rt, "name empty", set(rt, "name", ""), "name")
		add(rt, "name blank", set(rt, "name", "  \t"), "name")
		add(rt, "name of 256 characters", set(rt, "name", strings.Repeat("名", 256)), "name")
		add(rt, "name with NUL", set(rt, "name", "a\x00b"), "name")
		add(rt, "email nope", set(rt, "back_office_staff_email", "nope"), "back_office_staff_email")
		add(rt, "email empty", set(rt, "back_office_staff_email", ""), "back_office_staff_email")
		add(rt, "email with a display name", set(rt, "back_office_staff_email", "Staff <staff@example.com>"), "back_office_staff_email")
		add(rt, "email of 255 characters", set(rt, "back_office_staff_email", strings.Repeat("a", 243)+"@example.com"), "back_office_staff_email")
		add(rt, "attributes is a string", set(rt, "attributes", "x"), "attributes")
	}

	plan := bodyRoutes[2]
	add(plan, "next_plan_id is a number", apitest.Static(obj{"next_plan_id": 5}), "next_plan_id")
	add(plan, "next_plan_id is an object", apitest.Static(obj{"next_plan_id": obj{}}), "next_plan_id")
	add(plan, "using_next_plan_from is a string", set(plan, "using_next_plan_from", "soon"), "using_next_plan_from")
	add(plan, "using_next_plan_from is fractional", set(plan, "using_next_plan_from", 1893456000.5), "using_next_plan_from")
	add(plan, "using_next_plan_from is 2^63", set(plan, "using_next_plan_from", rawJSON("9223372036854775808")), "using_next_plan_from")
	add(plan, "next_plan_tax_rate_id is a bool", set(plan, "next_plan_tax_rate_id", true), "next_plan_tax_rate_id")
	add(plan, "proration_behavior is a number", set(plan, "proration_behavior", 1), "proration_behavior")
	add(plan, "delete_usage is a string", set(plan, "delete_usage", "yes"), "delete_usage")

	billing := bodyRoutes[3]
	for _, f := range []string{"name", "address", "invoice_language"} {
		add(billing, f+" missing", set(billing, f, nil), f)
	}
	for _, f := range []string{"street", "city", "state", "country", "postal_code"} {
		add(billing, "address."+f+" missing", apitest.Static(withAddress(f, nil)), "address", f)
	}
	add(billing, "country jp", apitest.Static(withAddress("country", "jp")), "country")
	add(billing, "country JPN", apitest.Static(withAddress("country", "JPN")), "country")
	add(billing, "country empty", apitest.Static(withAddress("country", "")), "country")
	add(billing, "country is a number", apitest.Static(withAddress("country", 81)), "country")
	add(billing, "invoice_language fr-FR", set(billing, "invoice_language", "fr-FR"), "invoice_language")
	add(billing, "invoice_language ja", set(billing, "invoice_language", "ja"), "invoice_language")
	add(billing, "address is a string", set(billing, "address", "Tokyo"), "address")
	add(billing, "address is null", set(billing, "address", rawJSON("null")), "address")
	add(billing, "name is blank", set(billing, "name", " "), "name")
	add(billing, "name is a number", set(billing, "name", 1), "name")
	add(billing, "street of 256 characters", apitest.Static(withAddress("street", strings.Repeat("s", 256))), "street")
	add(billing, "additional_address_info is a number", apitest.Static(withAddress("additional_address_info", 5)), "additional_address_info")

	attr := bodyRoutes[4]
	add(attr, "everything missing", apitest.Static(obj{}), "attribute_name", "display_name", "attribute_type")
	add(attr, "display_name is a bool", set(attr, "display_name", false), "display_name")

	runOutcomes(t, cases)
}

// TestExtraFieldsAreIgnored: SDKs send objects they read back, with fields
// the request does not take; those are ignored, never applied.
func TestExtraFieldsAreIgnored(t *testing.T) {
	t.Parallel()
	forged := func(x ids) obj {
		return obj{"id": "forged", "plan_id": x["basic"], "next_plan_id": x["pro"], "using_next_plan_from": 1,
			"plan_histories": []any{obj{"plan_id": x["basic"], "plan_applied_at": 1}}, "billing_info": billingBody(),
			"current_plan_period_start": 1, "unknown": obj{"nested": true}}
	}
	wantPlain := func(t *testing.T, e *env, tn obj) {
		t.Helper()
		if tn["id"] == "forged" {
			t.Errorf("the tenant took the id sent in the body")
		}
		wantFields(t, "tenant", tn, obj{"name": "acme", "plan_histories": []any{}})
		apitest.WantAbsent(t, "tenant", tn, append(append([]string{"plan_id", "billing_info", "unknown"}, reservationKeys...), periodKeys...)...)
		wantPlanUsed(t, e.c, e.x["basic"], false)
		wantPlanUsed(t, e.c, e.x["pro"], false)
	}
	runOutcomes(t, []outcome{
		{name: "CreateTenant", setup: catalog, method: "POST", path: "/tenants", status: 201,
			body: func(x ids) any {
				b := forged(x)
				for k, v := range tenantBody("acme") {
					b[k] = v
				}
				return b
			},
			after: func(t *testing.T, e *env, r *apitest.Response) {
				id, _ := r.JSON(t)["id"].(string)
				wantPlain(t, e, getTenant(t, e.c, id))
			}},
		{name: "UpdateTenant", setup: catalog, method: "PATCH", path: "/tenants/{tenant}", status: 200,
			body: func(x ids) any {
				b := forged(x)
				for k, v := range tenantBody("acme") {
					b[k] = v
				}
				return b
			},
			after: func(t *testing.T, e *env, r *apitest.Response) { wantPlain(t, e, tenantOf(t, e)) }},
		{name: "UpdateTenantBillingInfo", setup: catalog, method: "PUT", path: "/tenants/{tenant}/billing-info", status: 200,
			body: func(x ids) any { return apitest.With(billingBody(), "plan_id", x["basic"], "extra", 1) },
			after: func(t *testing.T, e *env, r *apitest.Response) {
				tn := tenantOf(t, e)
				wantFields(t, "tenant", tn, obj{"billing_info": billingBody()})
				apitest.WantAbsent(t, "tenant", tn, "plan_id")
			}},
	})
}
