package authapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// scenario is one call of an operation of our auth subset, in a fresh SaaS
// on its own server whose tenant clock stands at T0 until the scenario
// moves it.
type scenario struct {
	name   string
	op     string // the upstream operationId the call exercises
	setup  func(t *testing.T, e *env)
	method string
	path   string        // under A, with {key} placeholders filled from e.x
	body   func(ids) any // nil sends no body
	status int           // exact
	check  func(t *testing.T, e *env, r *apitest.Response)
}

// withTenant creates the tenant "acme" (key tenant) and nothing else.
func withTenant(t *testing.T, e *env) { e.x["tenant"] = newTenant(t, e.c, "acme") }

// onPlan is catalog with the tenant put on "basic" with tax rate "jct" at T0.
func onPlan(t *testing.T, e *env) {
	catalog(t, e)
	putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"], "next_plan_tax_rate_id": e.x["jct"]})
}

// reserved is onPlan with "pro" reserved (tax rate "zero") for T0+1h.
func reserved(t *testing.T, e *env) {
	onPlan(t, e)
	putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["pro"], "using_next_plan_from": unix(T0.Add(time.Hour)), "next_plan_tax_rate_id": e.x["zero"]})
}

// the tenant of the scenario, read back.
func tenantOf(t *testing.T, e *env) obj { return getTenant(t, e.c, e.x["tenant"]) }

// wantHistory checks a tenant's plan_histories entry by entry.
func wantHistory(t *testing.T, tn obj, want ...obj) {
	t.Helper()
	hs := histories(t, tn)
	if len(hs) != len(want) {
		t.Fatalf("plan_histories has %d entries, want %d:\n got %s", len(hs), len(want), apitest.CanonJSON(hs))
	}
	for i, w := range want {
		apitest.WantJSONEqual(t, fmt.Sprintf("plan_histories[%d]", i), hs[i], w)
	}
}

var scenarios = []scenario{
	// ---- GetTenants ----
	{name: "tenants/list/empty", op: "GetTenants", method: "GET", path: "/tenants", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"tenants": []any{}})
		}},
	{name: "tenants/list/creation order, with plan, reservation and billing", op: "GetTenants",
		setup: func(t *testing.T, e *env) {
			reserved(t, e)
			e.x["second"] = newTenant(t, e.c, "beta")
			e.c.OKEmpty(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/billing-info", billingBody())
		}, method: "GET", path: "/tenants", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			var body struct{ Tenants []obj }
			r.Decode(t, &body)
			apitest.WantJSONEqual(t, "ids", apitest.IDsOf(body.Tenants), []string{e.x["tenant"], e.x["second"]})
			a := body.Tenants[0]
			wantFields(t, "acme", a, obj{"name": "acme", "attributes": obj{}, "back_office_staff_email": "staff@example.com",
				"plan_id": e.x["basic"], "billing_info": billingBody(), "next_plan_id": e.x["pro"],
				"using_next_plan_from": unix(T0.Add(time.Hour)), "next_plan_tax_rate_id": e.x["zero"]})
			wantHistory(t, a, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]})
			apitest.WantAbsent(t, "acme (a list entry is a Tenant, not a TenantDetail)", a, periodKeys...)
			b := body.Tenants[1]
			wantFields(t, "beta", b, obj{"name": "beta", "attributes": obj{}, "plan_histories": []any{}})
			apitest.WantAbsent(t, "beta", b, append([]string{"plan_id", "billing_info"}, reservationKeys...)...)
		}},

	// ---- CreateTenant ----
	{name: "tenants/create", op: "CreateTenant",
		setup: func(t *testing.T, e *env) {
			declare(t, e.c, "industry", "string")
			declare(t, e.c, "seats", "number")
		}, method: "POST", path: "/tenants",
		body:   apitest.Static(obj{"name": "Anti-Pattern Inc.", "attributes": obj{"industry": "SaaS", "seats": 100}, "back_office_staff_email": "hoge@example.com"}),
		status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := r.JSON(t)
			id, _ := tn["id"].(string)
			if id == "" {
				t.Fatalf("no id: %v", tn)
			}
			want := obj{"id": id, "name": "Anti-Pattern Inc.", "attributes": obj{"industry": "SaaS", "seats": 100},
				"back_office_staff_email": "hoge@example.com", "plan_histories": []any{}}
			apitest.WantJSONEqual(t, "created", tn, want)
			apitest.WantJSONEqual(t, "read back", getTenant(t, e.c, id), want)
			apitest.WantJSONEqual(t, "listed", listTenants(t, e.c), []any{want})
		}},
	{name: "tenants/create/two tenants may share a name", op: "CreateTenant", setup: withTenant,
		method: "POST", path: "/tenants", body: apitest.Static(tenantBody("acme")), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if id := r.JSON(t)["id"]; id == e.x["tenant"] {
				t.Errorf("second tenant got the id of the first")
			}
			if n := len(listTenants(t, e.c)); n != 2 {
				t.Errorf("%d tenants, want 2", n)
			}
		}},

	// ---- GetTenant ----
	{name: "tenants/get/without a plan has no period", op: "GetTenant", setup: withTenant,
		method: "GET", path: "/tenants/{tenant}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := r.JSON(t)
			apitest.WantJSONEqual(t, "tenant", tn, obj{"id": e.x["tenant"], "name": "acme", "attributes": obj{},
				"back_office_staff_email": "staff@example.com", "plan_histories": []any{}})
		}},
	{name: "tenants/get/monthly plan applied at T0: [T0, T0+1 month)", op: "GetTenant", setup: onPlan,
		method: "GET", path: "/tenants/{tenant}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := r.JSON(t)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["basic"]})
			wantPeriod(t, tn, T0, T0.AddDate(0, 1, 0))
			e.clk.Set(T0.AddDate(0, 1, 0).Add(-time.Second))
			wantPeriod(t, tenantOf(t, e), T0, T0.AddDate(0, 1, 0))
			e.clk.Set(T0.AddDate(0, 1, 0))
			wantPeriod(t, tenantOf(t, e), T0.AddDate(0, 1, 0), T0.AddDate(0, 2, 0))
		}},
	{name: "tenants/get/yearly plan: [T0, T0+1 year)", op: "GetTenant",
		setup: func(t *testing.T, e *env) {
			catalog(t, e)
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["annual"]})
		}, method: "GET", path: "/tenants/{tenant}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantPeriod(t, r.JSON(t), T0, T0.AddDate(1, 0, 0))
			e.clk.Set(T0.AddDate(0, 13, 0))
			wantPeriod(t, tenantOf(t, e), T0.AddDate(1, 0, 0), T0.AddDate(2, 0, 0))
		}},
	{name: "tenants/get/period follows the latest plan change", op: "GetTenant",
		setup: func(t *testing.T, e *env) {
			onPlan(t, e)
			e.clk.Add(40 * 24 * time.Hour)
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["pro"]})
		}, method: "GET", path: "/tenants/{tenant}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			at := T0.Add(40 * 24 * time.Hour)
			wantPeriod(t, r.JSON(t), at, at.AddDate(0, 1, 0))
		}},
	{name: "tenants/get/unknown id", op: "GetTenant", method: "GET", path: "/tenants/6a1f0b4e-3c5d-4e8f-9a0b-1c2d3e4f5a6b", status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},

	// ---- UpdateTenant ----
	{name: "tenants/patch/full replacement", op: "UpdateTenant",
		setup: func(t *testing.T, e *env) {
			catalog(t, e)
			declare(t, e.c, "industry", "string")
			declare(t, e.c, "seats", "number")
			declare(t, e.c, "trial", "bool")
			e.c.OKEmpty(t, "PATCH", A+"/tenants/"+e.x["tenant"], obj{"name": "acme", "back_office_staff_email": "staff@example.com",
				"attributes": obj{"industry": "SaaS", "seats": 3}})
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"]})
			e.c.OKEmpty(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/billing-info", billingBody())
		}, method: "PATCH", path: "/tenants/{tenant}",
		body:   apitest.Static(obj{"name": "Acme K.K.", "back_office_staff_email": "billing@acme.example", "attributes": obj{"trial": true}}),
		status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"name": "Acme K.K.", "back_office_staff_email": "billing@acme.example",
				"attributes": obj{"trial": true}, "plan_id": e.x["basic"], "billing_info": billingBody()})
			wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0)})
		}},
	{name: "tenants/patch/without attributes clears them", op: "UpdateTenant",
		setup: func(t *testing.T, e *env) {
			declare(t, e.c, "industry", "string")
			e.x["tenant"], _ = createTenant(t, e.c, apitest.With(tenantBody("acme"), "attributes", obj{"industry": "SaaS"}))["id"].(string)
		}, method: "PATCH", path: "/tenants/{tenant}",
		body: apitest.Static(obj{"name": "acme", "back_office_staff_email": "staff@example.com"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantFields(t, "tenant", tenantOf(t, e), obj{"attributes": obj{}})
		}},
	{name: "tenants/patch/unknown id", op: "UpdateTenant", method: "PATCH", path: "/tenants/nope",
		body: apitest.Static(tenantBody("x")), status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},

	// ---- DeleteTenant ----
	{name: "tenants/delete", op: "DeleteTenant",
		setup: func(t *testing.T, e *env) {
			reserved(t, e)
			e.x["second"] = newTenant(t, e.c, "beta")
		}, method: "DELETE", path: "/tenants/{tenant}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			id := e.x["tenant"]
			e.c.Do(t, "GET", A+"/tenants/"+id, nil).WantError(t, 404, "not_found")
			apitest.WantJSONEqual(t, "tenants left", apitest.IDsOf(listTenants(t, e.c)), []string{e.x["second"]})
			e.c.Do(t, "PATCH", A+"/tenants/"+id, tenantBody("back")).WantError(t, 404, "not_found")
			e.c.Do(t, "PUT", A+"/tenants/"+id+"/plans", obj{"next_plan_id": e.x["basic"]}).WantError(t, 404, "not_found")
			e.c.Do(t, "PUT", A+"/tenants/"+id+"/billing-info", billingBody()).WantError(t, 404, "not_found")
			// Deleting again succeeds (a retry whose answer was lost); for
			// another SaaS the id names nothing.
			e.c.Do(t, "DELETE", A+"/tenants/"+id, nil).Want(t, 200)
			e.other(t).Do(t, "DELETE", A+"/tenants/"+id, nil).WantError(t, 404, "not_found")
			// The dropped reservation never fires, and the deleted tenant
			// stays invisible once it is due.
			e.clk.Add(2 * time.Hour)
			e.c.Do(t, "GET", A+"/tenants/"+id, nil).WantError(t, 404, "not_found")
			apitest.WantJSONEqual(t, "tenants left", apitest.IDsOf(listTenants(t, e.c)), []string{e.x["second"]})
		}},
	{name: "tenants/delete/an id the SaaS never had", op: "DeleteTenant", method: "DELETE", path: "/tenants/6a1f0b4e-3c5d-4e8f-9a0b-1c2d3e4f5a6b", status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},

	// ---- UpdateTenantPlan ----
	{name: "plans/immediate", op: "UpdateTenantPlan", setup: catalog,
		method: "PUT", path: "/tenants/{tenant}/plans", body: func(x ids) any { return obj{"next_plan_id": x["basic"], "next_plan_tax_rate_id": x["jct"]} },
		status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["basic"]})
			apitest.WantAbsent(t, "tenant", tn, reservationKeys...)
			wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]})
			wantPlanUsed(t, e.c, e.x["basic"], true)
			wantPlanUsed(t, e.c, e.x["pro"], false)
		}},
	{name: "plans/immediate/without tax rate", op: "UpdateTenantPlan", setup: catalog,
		method: "PUT", path: "/tenants/{tenant}/plans", body: func(x ids) any { return obj{"next_plan_id": x["pro"]} }, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantHistory(t, tenantOf(t, e), obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0)})
		}},
	{name: "plans/immediate/appends to the history", op: "UpdateTenantPlan",
		setup: func(t *testing.T, e *env) {
			onPlan(t, e)
			e.clk.Add(time.Hour)
		},
		method: "PUT", path: "/tenants/{tenant}/plans", body: func(x ids) any { return obj{"next_plan_id": x["pro"], "next_plan_tax_rate_id": x["zero"]} },
		status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["pro"]})
			wantHistory(t, tn,
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0.Add(time.Hour)), "tax_rate_id": e.x["zero"]})
		}},
	{name: "plans/immediate/drops a pending reservation", op: "UpdateTenantPlan", setup: reserved,
		method: "PUT", path: "/tenants/{tenant}/plans", body: func(x ids) any { return obj{"next_plan_id": x["annual"]} }, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["annual"]})
			apitest.WantAbsent(t, "tenant", tn, reservationKeys...)
			e.clk.Add(2 * time.Hour)
			tn = tenantOf(t, e)
			wantFields(t, "tenant after the old reservation time", tn, obj{"plan_id": e.x["annual"]})
			wantHistory(t, tn,
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": e.x["annual"], "plan_applied_at": unix(T0)})
		}},
	{name: "plans/reserve", op: "UpdateTenantPlan", setup: onPlan,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: func(x ids) any {
			return obj{"next_plan_id": x["pro"], "using_next_plan_from": unix(T0.Add(time.Hour)), "next_plan_tax_rate_id": x["zero"]}
		}, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			at := T0.Add(time.Hour)
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["basic"], "next_plan_id": e.x["pro"],
				"using_next_plan_from": unix(at), "next_plan_tax_rate_id": e.x["zero"]})
			apitest.WantAbsent(t, "tenant", tn, "proration_behavior", "delete_usage")
			wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]})
			wantPlanUsed(t, e.c, e.x["pro"], true) // reserved is used too

			// One second early nothing happens; at the second it applies.
			e.clk.Set(at.Add(-time.Second))
			wantFields(t, "tenant a second early", tenantOf(t, e), obj{"plan_id": e.x["basic"], "next_plan_id": e.x["pro"]})
			e.clk.Set(at)
			tn = tenantOf(t, e)
			wantFields(t, "tenant at the reserved second", tn, obj{"plan_id": e.x["pro"]})
			apitest.WantAbsent(t, "tenant at the reserved second", tn, reservationKeys...)
			wantHistory(t, tn,
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": e.x["pro"], "plan_applied_at": unix(at), "tax_rate_id": e.x["zero"]})
			wantPeriod(t, tn, at, at.AddDate(0, 1, 0))
		}},
	{name: "plans/reserve/applied when listing, with its own time", op: "UpdateTenantPlan", setup: catalog,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": unix(T0.AddDate(0, 0, 1))}
		}, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			at := T0.AddDate(0, 0, 1)
			e.clk.Set(at.Add(90 * time.Minute)) // read late: plan_applied_at is still the reserved time
			tn := apitest.Find(listTenants(t, e.c), e.x["tenant"])
			wantFields(t, "listed tenant", tn, obj{"plan_id": e.x["annual"]})
			apitest.WantAbsent(t, "listed tenant", tn, reservationKeys...)
			wantHistory(t, tn, obj{"plan_id": e.x["annual"], "plan_applied_at": unix(at)})
			wantPeriod(t, tenantOf(t, e), at, at.AddDate(1, 0, 0))
		}},
	{name: "plans/reserve/a new reservation replaces the pending one", op: "UpdateTenantPlan", setup: reserved,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": unix(T0.Add(2 * time.Hour))}
		}, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"next_plan_id": e.x["annual"], "using_next_plan_from": unix(T0.Add(2 * time.Hour))})
			apitest.WantAbsent(t, "tenant (the replaced reservation's tax rate)", tn, "next_plan_tax_rate_id")
			e.clk.Add(3 * time.Hour)
			wantHistory(t, tenantOf(t, e),
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": e.x["annual"], "plan_applied_at": unix(T0.Add(2 * time.Hour))})
		}},
	{name: "plans/cancel reservation/empty body {}", op: "UpdateTenantPlan", setup: reserved,
		method: "PUT", path: "/tenants/{tenant}/plans", body: apitest.Static(obj{}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantCancelled(t, e) }},
	{name: "plans/cancel reservation/next_plan_id empty", op: "UpdateTenantPlan", setup: reserved,
		method: "PUT", path: "/tenants/{tenant}/plans", body: apitest.Static(obj{"next_plan_id": ""}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantCancelled(t, e) }},
	{name: "plans/cancel reservation/next_plan_id null", op: "UpdateTenantPlan", setup: reserved,
		method: "PUT", path: "/tenants/{tenant}/plans", body: apitest.Static(obj{"next_plan_id": nil}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantCancelled(t, e) }},
	{name: "plans/end of plan at a time/next_plan_id null", op: "UpdateTenantPlan", setup: onPlan,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: apitest.Static(obj{"next_plan_id": nil, "using_next_plan_from": unix(T0.AddDate(0, 1, 0))}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			end := T0.AddDate(0, 1, 0)
			wantFields(t, "tenant", tenantOf(t, e), obj{"plan_id": e.x["basic"], "next_plan_id": "", "using_next_plan_from": unix(end)})
			e.clk.Set(end)
			wantHistory(t, tenantOf(t, e),
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": "", "plan_applied_at": unix(end)})
		}},
	{name: "plans/cancel reservation/nothing pending", op: "UpdateTenantPlan", setup: onPlan,
		method: "PUT", path: "/tenants/{tenant}/plans", body: apitest.Static(obj{}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantCancelled(t, e) }},
	{name: "plans/end of plan at a time", op: "UpdateTenantPlan", setup: onPlan,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: apitest.Static(obj{"next_plan_id": "", "using_next_plan_from": unix(T0.AddDate(0, 1, 0))}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			end := T0.AddDate(0, 1, 0)
			tn := tenantOf(t, e)
			wantFields(t, "tenant", tn, obj{"plan_id": e.x["basic"], "next_plan_id": "", "using_next_plan_from": unix(end)})
			wantPeriod(t, tn, T0, end)
			e.clk.Set(end)
			tn = tenantOf(t, e)
			apitest.WantAbsent(t, "tenant after the end", tn, append(append([]string{"plan_id"}, reservationKeys...), periodKeys...)...)
			wantHistory(t, tn,
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": "", "plan_applied_at": unix(end)})
			// A new plan afterwards starts a new history entry and period.
			e.clk.Add(time.Hour)
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["pro"]})
			tn = tenantOf(t, e)
			wantPeriod(t, tn, end.Add(time.Hour), end.Add(time.Hour).AddDate(0, 1, 0))
			if n := len(histories(t, tn)); n != 3 {
				t.Errorf("history has %d entries, want 3", n)
			}
		}},
	{name: "plans/stripe options are echoed", op: "UpdateTenantPlan", setup: onPlan,
		method: "PUT", path: "/tenants/{tenant}/plans",
		body: func(x ids) any {
			return obj{"next_plan_id": x["pro"], "using_next_plan_from": unix(T0.Add(time.Hour)), "proration_behavior": "always_invoice", "delete_usage": true}
		}, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantFields(t, "reservation", tenantOf(t, e), obj{"next_plan_id": e.x["pro"], "proration_behavior": "always_invoice", "delete_usage": true})
			e.clk.Add(time.Hour)
			// And an immediate change with the other values.
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"], "proration_behavior": "none", "delete_usage": false})
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["pro"], "proration_behavior": "create_prorations"})
			wantHistory(t, tenantOf(t, e),
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
				obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0.Add(time.Hour)), "proration_behavior": "always_invoice", "delete_usage": true},
				obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0.Add(time.Hour)), "proration_behavior": "none", "delete_usage": false},
				obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0.Add(time.Hour)), "proration_behavior": "create_prorations"})
		}},

	// ---- UpdateTenantBillingInfo ----
	{name: "billing-info/put", op: "UpdateTenantBillingInfo", setup: withTenant,
		method: "PUT", path: "/tenants/{tenant}/billing-info", body: apitest.Static(billingBody()), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantFields(t, "tenant", tenantOf(t, e), obj{"billing_info": billingBody()})
			wantFields(t, "listed tenant", apitest.Find(listTenants(t, e.c), e.x["tenant"]), obj{"billing_info": billingBody()})
		}},
	{name: "billing-info/put replaces", op: "UpdateTenantBillingInfo",
		setup: func(t *testing.T, e *env) {
			withTenant(t, e)
			e.c.OKEmpty(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/billing-info", billingBody())
		}, method: "PUT", path: "/tenants/{tenant}/billing-info",
		body:   apitest.Static(apitest.With(withAddress("additional_address_info", nil, "country", "US"), "invoice_language", "en-US", "name", "Acme Inc.")),
		status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			want := apitest.With(withAddress("additional_address_info", nil, "country", "US"), "invoice_language", "en-US", "name", "Acme Inc.")
			wantFields(t, "tenant", tenantOf(t, e), obj{"billing_info": want})
		}},

	// ---- tenant attributes ----
	{name: "attributes/list/empty", op: "GetTenantAttributes", method: "GET", path: "/tenant-attributes", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"tenant_attributes": []any{}})
		}},
	{name: "attributes/list/creation order", op: "GetTenantAttributes",
		setup: func(t *testing.T, e *env) {
			for _, a := range [][2]string{{"zeta", "string"}, {"alpha", "number"}, {"mid", "bool"}, {"birthday", "date"}} {
				declare(t, e.c, a[0], a[1])
			}
		}, method: "GET", path: "/tenant-attributes", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"tenant_attributes": []any{
				attributeBody("zeta", "string"), attributeBody("alpha", "number"), attributeBody("mid", "bool"), attributeBody("birthday", "date")}})
		}},
	{name: "attributes/create", op: "CreateTenantAttribute", method: "POST", path: "/tenant-attributes",
		body: apitest.Static(obj{"attribute_name": "birthday", "display_name": "創業日", "attribute_type": "date"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			want := obj{"attribute_name": "birthday", "display_name": "創業日", "attribute_type": "date"}
			apitest.WantJSONEqual(t, "created", r.JSON(t), want)
			apitest.WantJSONEqual(t, "listed", listAttributes(t, e.c), []any{want})
		}},
	{name: "attributes/delete removes the values from tenants", op: "DeleteTenantAttribute",
		setup: func(t *testing.T, e *env) {
			declare(t, e.c, "industry", "string")
			declare(t, e.c, "seats", "number")
			e.x["tenant"], _ = createTenant(t, e.c, apitest.With(tenantBody("a"), "attributes", obj{"industry": "SaaS", "seats": 5}))["id"].(string)
			e.x["second"], _ = createTenant(t, e.c, apitest.With(tenantBody("b"), "attributes", obj{"seats": 7}))["id"].(string)
		}, method: "DELETE", path: "/tenant-attributes/industry", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "declarations", listAttributes(t, e.c), []any{attributeBody("seats", "number")})
			wantFields(t, "tenant", tenantOf(t, e), obj{"attributes": obj{"seats": 5}})
			wantFields(t, "second", getTenant(t, e.c, e.x["second"]), obj{"attributes": obj{"seats": 7}})
			// The name is free again, with another type.
			declare(t, e.c, "industry", "number")
			wantFields(t, "tenant", tenantOf(t, e), obj{"attributes": obj{"seats": 5}})
			e.c.Do(t, "DELETE", A+"/tenant-attributes/industry", nil).Want(t, 200)
			e.c.Do(t, "DELETE", A+"/tenant-attributes/industry", nil).WantError(t, 404, "not_found")
		}},
	{name: "attributes/delete/unknown name", op: "DeleteTenantAttribute", method: "DELETE", path: "/tenant-attributes/birthday", status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},

	// ---- ResetPlan ----
	{name: "plans/reset", op: "ResetPlan",
		setup: func(t *testing.T, e *env) {
			reserved(t, e)
			declare(t, e.c, "industry", "string")
			e.c.OKEmpty(t, "PATCH", A+"/tenants/"+e.x["tenant"], apitest.With(tenantBody("acme"), "attributes", obj{"industry": "SaaS"}))
			e.c.OKEmpty(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/billing-info", billingBody())
			e.x["second"] = newTenant(t, e.c, "beta")
			putPlan(t, e.c, e.x["second"], obj{"next_plan_id": e.x["annual"], "using_next_plan_from": unix(T0.AddDate(0, 0, 3))})
			e.x["third"] = newTenant(t, e.c, "gamma")
			putPlan(t, e.c, e.x["third"], obj{"next_plan_id": e.x["basic"]})
			putPlan(t, e.c, e.x["third"], obj{"next_plan_id": "", "using_next_plan_from": unix(T0.Add(time.Minute))})
			e.c.CreateID(t, P+"/metering/units", obj{"unit_name": "calls", "display_name": "calls", "description": "", "aggregate_usage": "sum"})
		}, method: "PUT", path: "/plans/reset", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			for path, key := range map[string]string{"/plans": "pricing_plans", "/menus": "pricing_menus", "/units": "units",
				"/metering/units": "units", "/tax-rates": "tax_rates"} {
				if got, _ := get(t, e.c, P+path)[key].([]any); len(got) != 0 {
					t.Errorf("GET %s after reset: %d objects", path, len(got))
				}
			}
			e.c.Do(t, "GET", P+"/plans/"+e.x["basic"], nil).WantError(t, 404, "not_found")
			e.clk.Set(T0.AddDate(0, 1, 0)) // the dropped reservations never fire
			ts := listTenants(t, e.c)
			apitest.WantJSONEqual(t, "tenants", apitest.IDsOf(ts), []string{e.x["tenant"], e.x["second"], e.x["third"]})
			for _, tn := range ts {
				apitest.WantAbsent(t, "tenant "+tn["name"].(string), tn, append([]string{"plan_id"}, reservationKeys...)...)
				wantFields(t, "tenant "+tn["name"].(string), tn, obj{"plan_histories": []any{}})
			}
			wantFields(t, "acme", ts[0], obj{"attributes": obj{"industry": "SaaS"}, "billing_info": billingBody()})
			apitest.WantAbsent(t, "acme detail", tenantOf(t, e), periodKeys...)
			apitest.WantJSONEqual(t, "declarations", listAttributes(t, e.c), []any{attributeBody("industry", "string")})
			// A new catalog starts from scratch.
			plan := pricingPlan(t, e.c, "fresh", "month", nil)
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": plan})
			wantHistory(t, tenantOf(t, e), obj{"plan_id": plan, "plan_applied_at": unix(T0.AddDate(0, 1, 0))})
		}},
	{name: "plans/reset/nothing to reset", op: "ResetPlan", method: "PUT", path: "/plans/reset", status: 200},

	// ---- the test endpoint ----
	{name: "errors/internal-server-error", op: "ReturnInternalServerError", method: "GET", path: "/errors/internal-server-error", status: 500,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 500, "internal_server_error") }},
}

// wantCancelled checks the state reserved/onPlan leave once the
// reservation is cancelled: on "basic" since T0, nothing pending, even
// after the cancelled reservation's time.
func wantCancelled(t *testing.T, e *env) {
	t.Helper()
	for _, at := range []time.Time{T0, T0.Add(2 * time.Hour)} {
		e.clk.Set(at)
		tn := tenantOf(t, e)
		wantFields(t, "tenant", tn, obj{"plan_id": e.x["basic"]})
		apitest.WantAbsent(t, "tenant", tn, reservationKeys...)
		wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]})
	}
}

// runScenarios runs every scenario in parallel, each on its own server and
// SaaS over b. Each call is checked by apitest.Client.Call, each response
// by the harness (trace id, content type, error shape, upstream schema of
// 2xx bodies).
func runScenarios(t *testing.T, b apitest.Backend) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			if sc.setup != nil {
				sc.setup(t, e)
			}
			var body any
			if sc.body != nil {
				body = sc.body(e.x)
			}
			r := e.c.Call(t, sc.op, sc.method, A+e.x.Expand(sc.path), body, sc.status)
			if sc.check != nil {
				sc.check(t, e, r)
			}
		})
	}
}

// TestScenarios runs every scenario in a fresh SaaS on every backend.
func TestScenarios(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		runScenarios(t, b)
	})
}
