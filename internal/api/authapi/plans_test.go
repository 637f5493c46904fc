package authapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// otherCatalog gives a second SaaS a plan and a tax rate, recorded as
// b_plan and b_tax.
func otherCatalog(t *testing.T, e *env) {
	b := e.other(t)
	e.x["b_plan"] = pricingPlan(t, b, "theirs", "month", nil)
	e.x["b_tax"] = taxRate(t, b, "theirs")
	e.x["b_saas"], e.x["b_key"], e.x["b_secret"] = b.SaaSID, b.APIKey, b.Secret
}

func (e *env) b() apitest.Client {
	return apitest.Client{Server: e.c.Server, SaaSID: e.x["b_saas"], APIKey: e.x["b_key"], Secret: e.x["b_secret"]}
}

// TestPlanChangeRules: every refused plan change is a 400 naming the field
// and changes nothing, neither on the tenant nor in the catalog.
func TestPlanChangeRules(t *testing.T) {
	t.Parallel()
	const unknown = "6a1f0b4e-3c5d-4e8f-9a0b-1c2d3e4f5a6b"
	setup := then(reserved, snapTenants)
	hour := unix(T0.Add(time.Hour))
	refused := func(name string, body func(x ids) any, fields ...string) outcome {
		o := invalidFor(name, setup, "PUT", "/tenants/{tenant}/plans", body, fields...)
		o.after = func(t *testing.T, e *env, r *apitest.Response) {
			unchangedTenants(t, e, r)
			wantPlanUsed(t, e.c, e.x["annual"], false)
		}
		return o
	}
	cases := []outcome{
		refused("unknown plan, immediate", apitest.Static(obj{"next_plan_id": unknown}), "next_plan_id", unknown),
		refused("unknown plan, reserved", apitest.Static(obj{"next_plan_id": unknown, "using_next_plan_from": hour}), "next_plan_id"),
		refused("unknown tax rate", func(x ids) any { return obj{"next_plan_id": x["annual"], "next_plan_tax_rate_id": unknown} },
			"next_plan_tax_rate_id", unknown),
		refused("unknown tax rate, reserved", func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": hour, "next_plan_tax_rate_id": unknown}
		}, "next_plan_tax_rate_id"),
		refused("unknown plan and tax rate", apitest.Static(obj{"next_plan_id": unknown, "next_plan_tax_rate_id": unknown}),
			"next_plan_id", "next_plan_tax_rate_id"),
		refused("a tax rate id as plan id", func(x ids) any { return obj{"next_plan_id": x["jct"]} }, "next_plan_id"),
		refused("using_next_plan_from one second in the past", func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": unix(T0) - 1}
		}, "using_next_plan_from"),
		refused("end of plan in the past", apitest.Static(obj{"next_plan_id": "", "using_next_plan_from": unix(T0) - 60}), "using_next_plan_from"),
		refused("using_next_plan_from 0", func(x ids) any { return obj{"next_plan_id": x["annual"], "using_next_plan_from": 0} },
			"using_next_plan_from"),
		refused("using_next_plan_from negative", func(x ids) any { return obj{"next_plan_id": x["annual"], "using_next_plan_from": -1} },
			"using_next_plan_from"),
		refused("using_next_plan_from in year 10000", func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": 253402300800}
		}, "using_next_plan_from"),
		refused("using_next_plan_from without next_plan_id", apitest.Static(obj{"using_next_plan_from": hour}), "next_plan_id"),
		refused("tax rate with an empty plan and a time", func(x ids) any {
			return obj{"next_plan_id": "", "using_next_plan_from": hour, "next_plan_tax_rate_id": x["jct"]}
		}, "next_plan_tax_rate_id"),
		refused("tax rate with an empty plan", func(x ids) any { return obj{"next_plan_id": "", "next_plan_tax_rate_id": x["jct"]} },
			"next_plan_tax_rate_id"),
		refused("tax rate with a null plan", func(x ids) any { return obj{"next_plan_id": nil, "next_plan_tax_rate_id": x["jct"]} },
			"next_plan_tax_rate_id"),
		refused("tax rate without next_plan_id", func(x ids) any { return obj{"next_plan_tax_rate_id": x["jct"]} }, "next_plan_tax_rate_id"),
		refused("proration_behavior bogus", func(x ids) any { return obj{"next_plan_id": x["annual"], "proration_behavior": "bogus"} },
			"proration_behavior"),
		refused("proration_behavior bogus on a reservation", func(x ids) any {
			return obj{"next_plan_id": x["annual"], "using_next_plan_from": hour, "proration_behavior": "bogus"}
		}, "proration_behavior"),
	}
	// Another SaaS's plan or tax rate is as unknown as a made-up id.
	for _, tc := range []struct {
		name   string
		body   func(x ids) any
		fields []string
	}{
		{"another SaaS's plan", func(x ids) any { return obj{"next_plan_id": x["b_plan"]} }, []string{"next_plan_id"}},
		{"another SaaS's plan, reserved", func(x ids) any { return obj{"next_plan_id": x["b_plan"], "using_next_plan_from": hour} }, []string{"next_plan_id"}},
		{"another SaaS's tax rate", func(x ids) any { return obj{"next_plan_id": x["annual"], "next_plan_tax_rate_id": x["b_tax"]} }, []string{"next_plan_tax_rate_id"}},
	} {
		o := invalidFor(tc.name, then(reserved, otherCatalog, snapTenants), "PUT", "/tenants/{tenant}/plans", tc.body, tc.fields...)
		o.after = func(t *testing.T, e *env, r *apitest.Response) {
			unchangedTenants(t, e, r)
			wantPlanUsed(t, e.b(), e.x["b_plan"], false)
			wantPlanUsed(t, e.c, e.x["annual"], false)
		}
		cases = append(cases, o)
	}
	cases = append(cases,
		outcome{name: "unknown tenant", setup: catalog, method: "PUT", path: "/tenants/" + unknown + "/plans",
			body: func(x ids) any { return obj{"next_plan_id": x["basic"]} }, status: 404, typ: "not_found",
			after: func(t *testing.T, e *env, _ *apitest.Response) { wantPlanUsed(t, e.c, e.x["basic"], false) }},
		// "Not in the past" includes now: the reservation is due at once.
		outcome{name: "using_next_plan_from now", setup: onPlan, method: "PUT", path: "/tenants/{tenant}/plans",
			body: func(x ids) any { return obj{"next_plan_id": x["pro"], "using_next_plan_from": unix(T0)} }, status: 200,
			after: func(t *testing.T, e *env, _ *apitest.Response) {
				tn := tenantOf(t, e)
				wantFields(t, "tenant", tn, obj{"plan_id": e.x["pro"]})
				apitest.WantAbsent(t, "tenant", tn, reservationKeys...)
				wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
					obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0)})
			}},
		// A reservation whose time has passed has been applied: cancelling
		// it then is too late, and changes nothing.
		outcome{name: "cancel after the reserved time", setup: func(t *testing.T, e *env) {
			reserved(t, e)
			e.clk.Add(2 * time.Hour)
		}, method: "PUT", path: "/tenants/{tenant}/plans", body: apitest.Static(obj{}), status: 200,
			after: func(t *testing.T, e *env, _ *apitest.Response) {
				tn := tenantOf(t, e)
				wantFields(t, "tenant", tn, obj{"plan_id": e.x["pro"]})
				wantHistory(t, tn, obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
					obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0.Add(time.Hour)), "tax_rate_id": e.x["zero"]})
			}},
		// A change to the plan the tenant is on is a change like any other.
		outcome{name: "same plan again", setup: onPlan, method: "PUT", path: "/tenants/{tenant}/plans",
			body: func(x ids) any { return obj{"next_plan_id": x["basic"]} }, status: 200,
			after: func(t *testing.T, e *env, _ *apitest.Response) {
				if n := len(histories(t, tenantOf(t, e))); n != 2 {
					t.Errorf("history has %d entries, want 2", n)
				}
			}},
	)
	runOutcomes(t, cases)
}

// TestAssignedPlanIsUsed: a plan a tenant is on, or has reserved, is used
// in the pricing catalog and can no longer be deleted or repriced; a
// refused change marks nothing.
func TestAssignedPlanIsUsed(t *testing.T) {
	t.Parallel()
	menuChange := func(x ids) any {
		return obj{"name": "basic", "display_name": "Plan basic", "description": "plan", "menu_ids": []string{x["pro_menu"]}}
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *env)
		used   bool
		status int
	}{
		{"assigned", func(t *testing.T, e *env) { putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"]}) }, true, 409},
		{"reserved", func(t *testing.T, e *env) {
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"], "using_next_plan_from": unix(T0.AddDate(0, 0, 7))})
		}, true, 409},
		{"reserved, then cancelled (used is never reset)", func(t *testing.T, e *env) {
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"], "using_next_plan_from": unix(T0.AddDate(0, 0, 7))})
			putPlan(t, e.c, e.x["tenant"], obj{})
		}, true, 409},
		{"assigned, then tenant deleted", func(t *testing.T, e *env) {
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"]})
			e.c.OKEmpty(t, "DELETE", A+"/tenants/"+e.x["tenant"], nil)
		}, true, 409},
		{"refused change (unknown tax rate)", func(t *testing.T, e *env) {
			e.c.Do(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/plans", obj{"next_plan_id": e.x["basic"], "next_plan_tax_rate_id": "nope"}).
				WantError(t, 400, "invalid_request", "next_plan_tax_rate_id")
		}, false, 200},
		{"never assigned", func(t *testing.T, e *env) {}, false, 200},
	}
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, b)
				catalog(t, e)
				tc.setup(t, e)
				wantPlanUsed(t, e.c, e.x["basic"], tc.used)
				if tc.used {
					e.c.Do(t, "PATCH", P+"/plans/"+e.x["basic"], menuChange(e.x)).WantError(t, 409, "used_object")
					e.c.Do(t, "DELETE", P+"/menus/"+e.x["basic_menu"], nil).WantError(t, 409, "")
					e.c.Do(t, "DELETE", P+"/plans/"+e.x["basic"], nil).WantError(t, 409, "used_object")
					wantPlanUsed(t, e.c, e.x["basic"], true)
					return
				}
				e.c.Do(t, "DELETE", P+"/plans/"+e.x["basic"], nil).Want(t, http.StatusOK)
			})
		}
	})
}

// TestBillingPeriods: current_plan_period_start/end of GET /tenants/{id}
// for plans applied at awkward moments, read at later moments.
func TestBillingPeriods(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 15, 30, 0, time.UTC) }
	cases := []struct {
		name       string
		interval   string // "month", "year", "mixed" (a monthly and a yearly unit), "none" (no menus)
		applied    time.Time
		now        time.Time
		start, end time.Time
	}{
		{"monthly, first period", "month", at(2026, 3, 15, 9), at(2026, 3, 20, 0), at(2026, 3, 15, 9), at(2026, 4, 15, 9)},
		{"monthly, fourteen months on", "month", at(2026, 3, 15, 9), at(2027, 5, 20, 0), at(2027, 5, 15, 9), at(2027, 6, 15, 9)},
		{"monthly, a second before renewal", "month", at(2026, 3, 15, 9), at(2026, 4, 15, 9).Add(-time.Second), at(2026, 3, 15, 9), at(2026, 4, 15, 9)},
		{"monthly, over new year", "month", at(2026, 12, 15, 9), at(2027, 1, 20, 0), at(2027, 1, 15, 9), at(2027, 2, 15, 9)},
		{"31 January: February ends on the 28th", "month", at(2026, 1, 31, 10), at(2026, 2, 10, 0), at(2026, 1, 31, 10), at(2026, 2, 28, 10)},
		{"31 January: then back to the 31st", "month", at(2026, 1, 31, 10), at(2026, 3, 5, 0), at(2026, 2, 28, 10), at(2026, 3, 31, 10)},
		{"31 January: 30-day April", "month", at(2026, 1, 31, 10), at(2026, 4, 30, 11), at(2026, 4, 30, 10), at(2026, 5, 31, 10)},
		{"31 January in a leap year", "month", at(2028, 1, 31, 10), at(2028, 2, 29, 11), at(2028, 2, 29, 10), at(2028, 3, 31, 10)},
		{"yearly, first period", "year", at(2026, 3, 15, 9), at(2026, 9, 1, 0), at(2026, 3, 15, 9), at(2027, 3, 15, 9)},
		{"yearly, third period", "year", at(2026, 3, 15, 9), at(2028, 4, 1, 0), at(2028, 3, 15, 9), at(2029, 3, 15, 9)},
		{"yearly from 29 February", "year", at(2028, 2, 29, 9), at(2029, 3, 1, 0), at(2029, 2, 28, 9), at(2030, 2, 28, 9)},
		{"monthly and yearly units: yearly", "mixed", at(2026, 3, 15, 9), at(2026, 5, 1, 0), at(2026, 3, 15, 9), at(2027, 3, 15, 9)},
		{"plan without menus: monthly", "none", at(2026, 3, 15, 9), at(2026, 5, 1, 0), at(2026, 4, 15, 9), at(2026, 5, 15, 9)},
	}
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, b)
				e.clk.Set(tc.applied)
				var plan string
				switch tc.interval {
				case "month", "year":
					plan = pricingPlan(t, e.c, "p", tc.interval, nil)
				case "mixed":
					x := ids{}
					pricingPlan(t, e.c, "m", "month", x)
					pricingPlan(t, e.c, "y", "year", x)
					plan = e.c.CreateID(t, P+"/plans", obj{"name": "mixed", "display_name": "mixed", "description": "",
						"menu_ids": []string{x["m_menu"], x["y_menu"]}})
				case "none":
					plan = e.c.CreateID(t, P+"/plans", obj{"name": "empty", "display_name": "empty", "description": "", "menu_ids": []string{}})
				}
				id := newTenant(t, e.c, "acme")
				putPlan(t, e.c, id, obj{"next_plan_id": plan})
				e.clk.Set(tc.now)
				wantPeriod(t, getTenant(t, e.c, id), tc.start, tc.end)
			})
		}
	})
}
