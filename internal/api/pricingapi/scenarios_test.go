package pricingapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// scenario is one call of an upstream operation in a fresh SaaS.
type scenario struct {
	name   string
	op     string // the upstream operationId the call exercises
	setup  func(t *testing.T, c apitest.Client) ids
	method string
	path   string        // under P, with {key} placeholders filled from setup's ids
	body   func(ids) any // nil sends no body
	status int           // exact
	check  func(t *testing.T, c apitest.Client, x ids, r *apitest.Response)
}

func static(v any) func(ids) any { return func(ids) any { return v } }

// meterOnly creates the meter "calls".
func meterOnly(t *testing.T, c apitest.Client) ids {
	return ids{"meter": createID(t, c, "/metering/units", meterBody("calls"))}
}

// unitsOnly creates the meter and the four unit variants, but no menu.
func unitsOnly(t *testing.T, c apitest.Client) ids {
	x := meterOnly(t, c)
	x["fixed"] = createID(t, c, "/units", fixedUnit("base"))
	x["usage"] = createID(t, c, "/units", usageUnit("per_call", "calls"))
	x["tiered"] = createID(t, c, "/units", tieredUnit("tiered", "volume", "calls"))
	x["tiered_usage"] = createID(t, c, "/units", tieredUnit("tiered_usage", "graduated", "calls"))
	return x
}

// menuOnly is unitsOnly plus a menu over the four units, in no plan.
func menuOnly(t *testing.T, c apitest.Client) ids {
	x := unitsOnly(t, c)
	x["menu"] = createID(t, c, "/menus", menuBody("standard", x["fixed"], x["usage"], x["tiered"], x["tiered_usage"]))
	return x
}

func fullCatalog(t *testing.T, c apitest.Client) ids { return catalog(t, c) }

// wantUnit checks a unit made by unitsOnly/catalog, by its variant.
func wantUnit(t testing.TB, variant string, u obj, x ids) {
	t.Helper()
	what := "unit " + variant
	wantFields(t, what, u, obj{"id": x[variant], "type": variant, "used": false})
	switch variant {
	case "fixed":
		wantFields(t, what, u, obj{"name": "base", "display_name": "Fixed base", "description": "base fee",
			"currency": "JPY", "unit_amount": 1000, "recurring_interval": "month"})
		wantAbsent(t, what, u, "metering_unit_id", "metering_unit_name", "upper_count", "tiers", "aggregate_usage")
	case "usage":
		wantFields(t, what, u, obj{"name": "per_call", "currency": "JPY", "unit_amount": 3, "upper_count": 1000,
			"metering_unit_id": x["meter"], "metering_unit_name": "calls", "aggregate_usage": "sum", "recurring_interval": "month"})
		wantAbsent(t, what, u, "tiers")
	case "tiered", "tiered_usage":
		wantFields(t, what, u, obj{"currency": "USD", "upper_count": 0, "metering_unit_id": x["meter"],
			"metering_unit_name": "calls", "recurring_interval": "month", "description": variant})
		wantAbsent(t, what, u, "unit_amount")
		wantJSONEqual(t, what+" tiers", u["tiers"], tiers())
	}
}

// wantJSONEqual compares two values by their JSON encoding.
func wantJSONEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	_ = json.Unmarshal(w, &wv)
	g, _ = json.Marshal(gv)
	w, _ = json.Marshal(wv)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// wantCatalogMenu checks a menu made by menuOnly/catalog, with its units.
func wantCatalogMenu(t testing.TB, m obj, x ids) {
	t.Helper()
	wantFields(t, "menu", m, obj{"id": x["menu"], "name": "standard", "display_name": "Menu standard", "description": "menu standard", "used": false})
	us, _ := m["units"].([]any)
	order := []string{"fixed", "usage", "tiered", "tiered_usage"}
	if len(us) != len(order) {
		t.Fatalf("menu has %d units, want %d: %v", len(us), len(order), m["units"])
	}
	for i, v := range order {
		wantUnit(t, v, us[i].(obj), x)
	}
}

func wantCatalogPlan(t testing.TB, p obj, x ids) {
	t.Helper()
	wantFields(t, "plan", p, obj{"id": x["plan"], "name": "standard", "display_name": "Plan standard", "description": "plan standard", "used": false})
	ms, _ := p["pricing_menus"].([]any)
	if len(ms) != 1 {
		t.Fatalf("plan has %d menus, want 1: %v", len(ms), p["pricing_menus"])
	}
	wantCatalogMenu(t, ms[0].(obj), x)
}

func wantNotFound(t testing.TB, c apitest.Client, path string) {
	t.Helper()
	c.Do(t, http.MethodGet, P+path, nil).WantError(t, http.StatusNotFound, "not_found")
}

// otherSaaS creates a second SaaS with its own catalog and records its
// credentials in x, so a check can reach it with other(c, x).
func otherSaaS(t *testing.T, c apitest.Client, x ids) {
	b := c.Server.NewSaaS(t)
	for k, v := range catalog(t, b) {
		x["b_"+k] = v
	}
	x["b_saas"], x["b_key"], x["b_secret"] = b.SaaSID, b.APIKey, b.Secret
}

func other(c apitest.Client, x ids) apitest.Client {
	return apitest.Client{Server: c.Server, SaaSID: x["b_saas"], APIKey: x["b_key"], Secret: x["b_secret"]}
}

var scenarios = []scenario{
	// ---- pricing units ----
	{name: "units/create/fixed", op: "CreatePricingUnit", setup: meterOnly,
		method: "POST", path: "/units", body: static(fixedUnit("base")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["fixed"], _ = u["id"].(string)
			wantUnit(t, "fixed", u, x)
			wantUnit(t, "fixed", get(t, c, "/units/"+x["fixed"]), x)
		}},
	{name: "units/create/usage", op: "CreatePricingUnit", setup: meterOnly,
		method: "POST", path: "/units", body: static(usageUnit("per_call", "calls")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["usage"], _ = u["id"].(string)
			wantUnit(t, "usage", u, x)
		}},
	{name: "units/create/tiered", op: "CreatePricingUnit", setup: meterOnly,
		method: "POST", path: "/units", body: static(tieredUnit("tiered", "volume", "calls")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["tiered"], _ = u["id"].(string)
			wantUnit(t, "tiered", u, x)
		}},
	{name: "units/create/tiered_usage", op: "CreatePricingUnit", setup: meterOnly,
		method: "POST", path: "/units", body: static(tieredUnit("tiered_usage", "graduated", "calls")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["tiered_usage"], _ = u["id"].(string)
			wantUnit(t, "tiered_usage", u, x)
		}},
	{name: "units/create/extra fields tolerated", op: "CreatePricingUnit", setup: meterOnly,
		method: "POST", path: "/units", body: static(with(fixedUnit("base"), "attributes", []any{}, "metering_unit_name", "calls")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["fixed"], _ = u["id"].(string)
			wantUnit(t, "fixed", u, x) // a fixed unit references no meter, whatever was sent
		}},
	{name: "units/get/fixed", op: "GetPricingUnit", setup: unitsOnly, method: "GET", path: "/units/{fixed}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "fixed", r.JSON(t), x) }},
	{name: "units/get/usage", op: "GetPricingUnit", setup: unitsOnly, method: "GET", path: "/units/{usage}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "usage", r.JSON(t), x) }},
	{name: "units/get/tiered", op: "GetPricingUnit", setup: unitsOnly, method: "GET", path: "/units/{tiered}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "tiered", r.JSON(t), x) }},
	{name: "units/get/tiered_usage", op: "GetPricingUnit", setup: unitsOnly, method: "GET", path: "/units/{tiered_usage}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantUnit(t, "tiered_usage", r.JSON(t), x)
		}},
	{name: "units/list/empty", op: "GetPricingUnits", method: "GET", path: "/units", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := string(bytes.TrimSpace(r.Body)); got != `{"units":[]}` {
				t.Errorf("body %s, want {\"units\":[]} (an empty array, not null)", got)
			}
		}},
	{name: "units/list", op: "GetPricingUnits", setup: unitsOnly, method: "GET", path: "/units", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct{ Units []obj }
			r.Decode(t, &body)
			order := []string{"fixed", "usage", "tiered", "tiered_usage"}
			if len(body.Units) != len(order) {
				t.Fatalf("%d units, want %d", len(body.Units), len(order))
			}
			for i, v := range order {
				wantUnit(t, v, body.Units[i], x)
			}
		}},
	{name: "units/patch/fixed", op: "UpdatePricingUnit", setup: unitsOnly, method: "PATCH", path: "/units/{fixed}",
		body: static(with(fixedUnit("base2"), "unit_amount", 2000, "recurring_interval", "year", "currency", "USD")), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "patched unit", get(t, c, "/units/"+x["fixed"]), obj{"id": x["fixed"], "name": "base2",
				"unit_amount": 2000, "recurring_interval": "year", "currency": "USD", "type": "fixed", "used": false})
		}},
	{name: "units/patch/usage becomes tiered_usage", op: "UpdatePricingUnit", setup: menuOnly, method: "PATCH", path: "/units/{usage}",
		body: static(tieredUnit("tiered_usage", "per_call", "calls")), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := get(t, c, "/units/"+x["usage"])
			wantFields(t, "patched unit", u, obj{"type": "tiered_usage", "name": "per_call", "metering_unit_id": x["meter"]})
			wantAbsent(t, "patched unit", u, "unit_amount")
			wantJSONEqual(t, "patched tiers", u["tiers"], tiers())
			// The menu shows the new version of its unit.
			m := get(t, c, "/menus/"+x["menu"])
			wantFields(t, "unit in menu", m["units"].([]any)[1].(obj), obj{"id": x["usage"], "type": "tiered_usage"})
		}},
	{name: "units/delete", op: "DeletePricingUnit", setup: unitsOnly, method: "DELETE", path: "/units/{tiered}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/units/"+x["tiered"])
			if got := idsOf(list(t, c, "/units", "units")); len(got) != 3 {
				t.Errorf("units after delete: %v, want 3", got)
			}
		}},

	// ---- menus ----
	{name: "menus/create", op: "CreatePricingMenu", setup: unitsOnly, method: "POST", path: "/menus",
		body: func(x ids) any {
			return menuBody("standard", x["fixed"], x["usage"], x["tiered"], x["tiered_usage"])
		}, status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			m := r.JSON(t)
			x["menu"], _ = m["id"].(string)
			wantCatalogMenu(t, m, x)
		}},
	{name: "menus/create/empty unit_ids", op: "CreatePricingMenu", method: "POST", path: "/menus",
		body: static(menuBody("empty")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if us, ok := r.JSON(t)["units"].([]any); !ok || len(us) != 0 {
				t.Errorf("units = %v, want []", r.JSON(t)["units"])
			}
		}},
	{name: "menus/get", op: "GetPricingMenu", setup: menuOnly, method: "GET", path: "/menus/{menu}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantCatalogMenu(t, r.JSON(t), x) }},
	{name: "menus/list", op: "GetPricingMenus", setup: menuOnly, method: "GET", path: "/menus", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				PricingMenus []obj `json:"pricing_menus"`
			}
			r.Decode(t, &body)
			if len(body.PricingMenus) != 1 {
				t.Fatalf("%d menus, want 1", len(body.PricingMenus))
			}
			wantCatalogMenu(t, body.PricingMenus[0], x)
		}},
	{name: "menus/patch", op: "UpdatePricingMenu", setup: menuOnly, method: "PATCH", path: "/menus/{menu}",
		body: func(x ids) any { return menuBody("renamed", x["tiered"], x["fixed"]) }, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			m := get(t, c, "/menus/"+x["menu"])
			wantFields(t, "patched menu", m, obj{"name": "renamed", "display_name": "Menu renamed", "used": false})
			var got []string
			for _, u := range m["units"].([]any) {
				got = append(got, u.(obj)["id"].(string))
			}
			wantJSONEqual(t, "unit order", got, []string{x["tiered"], x["fixed"]})
		}},
	{name: "menus/delete", op: "DeletePricingMenu", setup: menuOnly, method: "DELETE", path: "/menus/{menu}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/menus/"+x["menu"])
			get(t, c, "/units/"+x["fixed"]) // its units stay
		}},

	// ---- plans ----
	{name: "plans/create", op: "CreatePricingPlan", setup: menuOnly, method: "POST", path: "/plans",
		body: func(x ids) any { return planBody("standard", x["menu"]) }, status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := r.JSON(t)
			x["plan"], _ = p["id"].(string)
			wantCatalogPlan(t, p, x)
		}},
	{name: "plans/get", op: "GetPricingPlan", setup: fullCatalog, method: "GET", path: "/plans/{plan}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantCatalogPlan(t, r.JSON(t), x) }},
	{name: "plans/list", op: "GetPricingPlans", setup: fullCatalog, method: "GET", path: "/plans", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				PricingPlans []obj `json:"pricing_plans"`
			}
			r.Decode(t, &body)
			if len(body.PricingPlans) != 1 {
				t.Fatalf("%d plans, want 1", len(body.PricingPlans))
			}
			wantCatalogPlan(t, body.PricingPlans[0], x)
		}},
	{name: "plans/patch", op: "UpdatePricingPlan", setup: func(t *testing.T, c apitest.Client) ids {
		x := catalog(t, c)
		x["menu2"] = createID(t, c, "/menus", menuBody("extra", x["usage"]))
		return x
	}, method: "PATCH", path: "/plans/{plan}",
		body: func(x ids) any { return planBody("premium", x["menu2"], x["menu"]) }, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := get(t, c, "/plans/"+x["plan"])
			wantFields(t, "patched plan", p, obj{"name": "premium", "display_name": "Plan premium", "used": false})
			ms := p["pricing_menus"].([]any)
			if len(ms) != 2 {
				t.Fatalf("plan has %d menus, want 2", len(ms))
			}
			wantFields(t, "first menu", ms[0].(obj), obj{"id": x["menu2"], "name": "extra"})
			wantCatalogMenu(t, ms[1].(obj), x)
		}},
	{name: "plans/delete", op: "DeletePricingPlan", setup: fullCatalog, method: "DELETE", path: "/plans/{plan}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/plans/"+x["plan"])
			get(t, c, "/menus/"+x["menu"]) // its menus stay
		}},
	{name: "plans/used propagates to menus, units and meters", op: "UpdatePricingPlansUsed",
		setup: func(t *testing.T, c apitest.Client) ids {
			x := catalog(t, c)
			// Objects outside the plan must stay unused.
			x["spare_meter"] = createID(t, c, "/metering/units", meterBody("spare"))
			x["spare_unit"] = createID(t, c, "/units", usageUnit("spare", "spare"))
			x["spare_menu"] = createID(t, c, "/menus", menuBody("spare", x["spare_unit"]))
			x["spare_plan"] = createID(t, c, "/plans", planBody("spare", x["spare_menu"]))
			return x
		}, method: "PATCH", path: "/plans/used", body: func(x ids) any { return obj{"plan_ids": []string{x["plan"]}} }, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := get(t, c, "/plans/"+x["plan"])
			wantFields(t, "plan", p, obj{"used": true})
			m := p["pricing_menus"].([]any)[0].(obj)
			wantFields(t, "nested menu", m, obj{"used": true})
			for _, u := range m["units"].([]any) {
				wantFields(t, "nested unit "+u.(obj)["type"].(string), u.(obj), obj{"used": true})
			}
			wantFields(t, "menu", get(t, c, "/menus/"+x["menu"]), obj{"used": true})
			for _, v := range []string{"fixed", "usage", "tiered", "tiered_usage"} {
				wantFields(t, "unit "+v, get(t, c, "/units/"+x[v]), obj{"used": true})
			}
			meters := list(t, c, "/metering/units", "units")
			wantFields(t, "meter", find(meters, x["meter"]), obj{"used": true})
			wantFields(t, "spare meter", find(meters, x["spare_meter"]), obj{"used": false})
			wantFields(t, "spare unit", get(t, c, "/units/"+x["spare_unit"]), obj{"used": false})
			wantFields(t, "spare menu", get(t, c, "/menus/"+x["spare_menu"]), obj{"used": false})
			wantFields(t, "spare plan", get(t, c, "/plans/"+x["spare_plan"]), obj{"used": false})
			// Marking again is not an error.
			okEmpty(t, c, "PATCH", "/plans/used", obj{"plan_ids": []string{x["plan"]}})
		}},

	// ---- stripe ----
	{name: "stripe/init", op: "LinkPlanToStripe", setup: fullCatalog, method: "PATCH", path: "/stripe/init", status: 400,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "stripe_not_linked")
		}},
	{name: "stripe/delete", op: "DeleteStripePlan", method: "DELETE", path: "/stripe", status: 400,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "stripe_not_linked")
		}},

	// ---- reset ----
	{name: "plans-initialization wipes this SaaS only", op: "DeleteAllPlansAndMenusAndUnitsAndMetersAndTaxRates",
		setup: func(t *testing.T, c apitest.Client) ids {
			x := catalog(t, c)
			okEmpty(t, c, "PATCH", "/plans/used", obj{"plan_ids": []string{x["plan"]}}) // used objects go too
			x["tax"] = createID(t, c, "/tax-rates", taxRateBody("jct"))
			otherSaaS(t, c, x)
			x["b_tax"] = createID(t, other(c, x), "/tax-rates", taxRateBody("jct"))
			return x
		}, method: "DELETE", path: "/plans-initialization", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			for path, key := range map[string]string{"/units": "units", "/menus": "pricing_menus", "/plans": "pricing_plans",
				"/metering/units": "units", "/tax-rates": "tax_rates"} {
				if got := list(t, c, path, key); len(got) != 0 {
					t.Errorf("GET %s after initialization: %d objects, want 0", path, len(got))
				}
			}
			wantNotFound(t, c, "/plans/"+x["plan"])
			b := other(c, x)
			for path, n := range map[string]int{"/units": 4, "/menus": 1, "/plans": 1, "/metering/units": 1, "/tax-rates": 1} {
				key := map[string]string{"/units": "units", "/menus": "pricing_menus", "/plans": "pricing_plans", "/metering/units": "units", "/tax-rates": "tax_rates"}[path]
				if got := list(t, b, path, key); len(got) != n {
					t.Errorf("other SaaS: GET %s: %d objects, want %d", path, len(got), n)
				}
			}
			get(t, b, "/plans/"+x["b_plan"])
			// The names are free again.
			createID(t, c, "/metering/units", meterBody("calls"))
			createID(t, c, "/tax-rates", taxRateBody("jct"))
		}},

	// ---- tax rates ----
	{name: "tax-rates/create", op: "CreateTaxRate", method: "POST", path: "/tax-rates",
		body: static(with(taxRateBody("jct_reduced"), "percentage", json.Number("8.5"), "inclusive", true)), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			tr := r.JSON(t)
			wantFields(t, "tax rate", tr, obj{"name": "jct_reduced", "display_name": "消費税(外税)", "percentage": 8.5,
				"inclusive": true, "country": "JP", "description": "consumption tax"})
			if !bytes.Contains(r.Body, []byte(`"percentage":8.5,`)) {
				t.Errorf("percentage is not exactly 8.5 on the wire: %s", r.Body)
			}
			raw := c.Do(t, "GET", P+"/tax-rates", nil).Want(t, 200).Body
			if !bytes.Contains(raw, []byte(`"percentage":8.5,`)) {
				t.Errorf("percentage is not exactly 8.5 when listed: %s", raw)
			}
		}},
	{name: "tax-rates/list", op: "GetTaxRates", setup: func(t *testing.T, c apitest.Client) ids {
		return ids{"a": createID(t, c, "/tax-rates", taxRateBody("a")), "b": createID(t, c, "/tax-rates", with(taxRateBody("b"), "percentage", 0))}
	}, method: "GET", path: "/tax-rates", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				TaxRates []obj `json:"tax_rates"`
			}
			r.Decode(t, &body)
			wantJSONEqual(t, "ids", idsOf(body.TaxRates), []string{x["a"], x["b"]})
			wantFields(t, "b", body.TaxRates[1], obj{"percentage": 0, "name": "b"})
		}},
	{name: "tax-rates/patch changes only display_name and description", op: "UpdateTaxRate",
		setup: func(t *testing.T, c apitest.Client) ids {
			return ids{"tax": createID(t, c, "/tax-rates", taxRateBody("jct"))}
		},
		method: "PATCH", path: "/tax-rates/{tax}",
		body: static(obj{"display_name": "消費税", "description": "new", "name": "other", "percentage": 50, "country": "US", "inclusive": true}), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			tr := find(list(t, c, "/tax-rates", "tax_rates"), x["tax"])
			wantFields(t, "tax rate", tr, obj{"display_name": "消費税", "description": "new", "name": "jct", "percentage": 10, "country": "JP", "inclusive": false})
		}},

	// ---- meters ----
	{name: "meters/create", op: "CreateMeteringUnit", method: "POST", path: "/metering/units", body: static(meterBody("calls")), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "meter", r.JSON(t), obj{"unit_name": "calls", "display_name": "Meter calls", "description": "counts calls", "aggregate_usage": "sum", "used": false})
		}},
	{name: "meters/create/without aggregate_usage", op: "CreateMeteringUnit", method: "POST", path: "/metering/units",
		body: static(with(meterBody("users"), "aggregate_usage", nil)), status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "meter", r.JSON(t), obj{"unit_name": "users", "used": false})
		}},
	{name: "meters/list", op: "GetMeteringUnits", setup: func(t *testing.T, c apitest.Client) ids {
		return ids{"a": createID(t, c, "/metering/units", meterBody("a")), "b": createID(t, c, "/metering/units", with(meterBody("b"), "aggregate_usage", "max"))}
	}, method: "GET", path: "/metering/units", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct{ Units []obj }
			r.Decode(t, &body)
			wantJSONEqual(t, "ids", idsOf(body.Units), []string{x["a"], x["b"]})
			wantFields(t, "b", body.Units[1], obj{"unit_name": "b", "aggregate_usage": "max", "used": false})
		}},
	{name: "meters/patch", op: "UpdateMeteringUnitByID", setup: meterOnly, method: "PATCH", path: "/metering/units/{meter}",
		body: static(with(meterBody("api_calls"), "aggregate_usage", "max", "display_name", "API calls")), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "meter", find(list(t, c, "/metering/units", "units"), x["meter"]),
				obj{"unit_name": "api_calls", "aggregate_usage": "max", "display_name": "API calls"})
		}},
	{name: "meters/delete", op: "DeleteMeteringUnitByID", setup: meterOnly, method: "DELETE", path: "/metering/units/{meter}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := list(t, c, "/metering/units", "units"); len(got) != 0 {
				t.Errorf("meters after delete: %v", got)
			}
		}},

	// ---- the test endpoint ----
	{name: "errors/internal-server-error", op: "ReturnInternalServerError", method: "GET", path: "/errors/internal-server-error", status: 500,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 500, "internal_server_error")
		}},
}

// TestScenarios runs every scenario in a fresh SaaS on every backend. Each
// response is checked by the harness (trace id, content type, error shape,
// upstream schema of 2xx bodies).
func TestScenarios(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				x := ids{}
				if sc.setup != nil {
					x = sc.setup(t, c)
				}
				var body any
				if sc.body != nil {
					body = sc.body(x)
				}
				r := c.Do(t, sc.method, P+x.expand(sc.path), body)
				if r.Status != sc.status {
					t.Fatalf("%s: status %d, want %d", r, r.Status, sc.status)
				}
				if r.Status == http.StatusOK && sc.method != http.MethodGet && len(r.Body) != 0 {
					t.Errorf("%s: want an empty body (upstream declares no content)", r)
				}
				if srv.Upstream != nil && r.OperationID != sc.op {
					t.Errorf("%s: routed to upstream %q, scenario says %q", r, r.OperationID, sc.op)
				}
				if sc.check != nil {
					sc.check(t, c, x, r)
				}
			})
		}
	})
}
