package pricingapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

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
	apitest.WantFields(t, what, u, obj{"id": x[variant], "type": variant, "used": false})
	switch variant {
	case "fixed":
		apitest.WantFields(t, what, u, obj{"name": "base", "display_name": "Fixed base", "description": "base fee",
			"currency": "JPY", "unit_amount": 1000, "recurring_interval": "month"})
		apitest.WantAbsent(t, what, u, "metering_unit_id", "metering_unit_name", "upper_count", "tiers", "aggregate_usage")
	case "usage":
		apitest.WantFields(t, what, u, obj{"name": "per_call", "currency": "JPY", "unit_amount": 3, "upper_count": 1000,
			"metering_unit_id": x["meter"], "metering_unit_name": "calls", "aggregate_usage": "sum", "recurring_interval": "month"})
		apitest.WantAbsent(t, what, u, "tiers")
	case "tiered", "tiered_usage":
		apitest.WantFields(t, what, u, obj{"currency": "USD", "upper_count": 0, "metering_unit_id": x["meter"],
			"metering_unit_name": "calls", "recurring_interval": "month", "description": variant})
		apitest.WantAbsent(t, what, u, "unit_amount")
		apitest.WantJSONEqual(t, what+" tiers", u["tiers"], tiers())
	}
}

// wantCatalogMenu checks a menu made by menuOnly/catalog, with its units.
func wantCatalogMenu(t testing.TB, m obj, x ids) {
	t.Helper()
	apitest.WantFields(t, "menu", m, obj{"id": x["menu"], "name": "standard", "display_name": "Menu standard", "description": "menu standard", "used": false})
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
	apitest.WantFields(t, "plan", p, obj{"id": x["plan"], "name": "standard", "display_name": "Plan standard", "description": "plan standard", "used": false})
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

var scenarios = []apitest.Scenario{
	// ---- pricing units ----
	{Name: "units/create/fixed", Op: "CreatePricingUnit", Setup: meterOnly,
		Method: "POST", Path: "/units", Body: apitest.Static(fixedUnit("base")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["fixed"], _ = u["id"].(string)
			wantUnit(t, "fixed", u, x)
			wantUnit(t, "fixed", get(t, c, "/units/"+x["fixed"]), x)
		}},
	{Name: "units/create/usage", Op: "CreatePricingUnit", Setup: meterOnly,
		Method: "POST", Path: "/units", Body: apitest.Static(usageUnit("per_call", "calls")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["usage"], _ = u["id"].(string)
			wantUnit(t, "usage", u, x)
		}},
	{Name: "units/create/tiered", Op: "CreatePricingUnit", Setup: meterOnly,
		Method: "POST", Path: "/units", Body: apitest.Static(tieredUnit("tiered", "volume", "calls")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["tiered"], _ = u["id"].(string)
			wantUnit(t, "tiered", u, x)
		}},
	{Name: "units/create/tiered_usage", Op: "CreatePricingUnit", Setup: meterOnly,
		Method: "POST", Path: "/units", Body: apitest.Static(tieredUnit("tiered_usage", "graduated", "calls")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["tiered_usage"], _ = u["id"].(string)
			wantUnit(t, "tiered_usage", u, x)
		}},
	{Name: "units/create/extra fields tolerated", Op: "CreatePricingUnit", Setup: meterOnly,
		Method: "POST", Path: "/units", Body: apitest.Static(apitest.With(fixedUnit("base"), "attributes", []any{}, "metering_unit_name", "calls")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := r.JSON(t)
			x["fixed"], _ = u["id"].(string)
			wantUnit(t, "fixed", u, x) // a fixed unit references no meter, whatever was sent
		}},
	{Name: "units/get/fixed", Op: "GetPricingUnit", Setup: unitsOnly, Method: "GET", Path: "/units/{fixed}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "fixed", r.JSON(t), x) }},
	{Name: "units/get/usage", Op: "GetPricingUnit", Setup: unitsOnly, Method: "GET", Path: "/units/{usage}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "usage", r.JSON(t), x) }},
	{Name: "units/get/tiered", Op: "GetPricingUnit", Setup: unitsOnly, Method: "GET", Path: "/units/{tiered}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantUnit(t, "tiered", r.JSON(t), x) }},
	{Name: "units/get/tiered_usage", Op: "GetPricingUnit", Setup: unitsOnly, Method: "GET", Path: "/units/{tiered_usage}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantUnit(t, "tiered_usage", r.JSON(t), x)
		}},
	{Name: "units/list/empty", Op: "GetPricingUnits", Method: "GET", Path: "/units", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := string(bytes.TrimSpace(r.Body)); got != `{"units":[]}` {
				t.Errorf("body %s, want {\"units\":[]} (an empty array, not null)", got)
			}
		}},
	{Name: "units/list", Op: "GetPricingUnits", Setup: unitsOnly, Method: "GET", Path: "/units", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
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
	{Name: "units/patch/fixed", Op: "UpdatePricingUnit", Setup: unitsOnly, Method: "PATCH", Path: "/units/{fixed}",
		Body: apitest.Static(apitest.With(fixedUnit("base2"), "unit_amount", 2000, "recurring_interval", "year", "currency", "USD")), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "patched unit", get(t, c, "/units/"+x["fixed"]), obj{"id": x["fixed"], "name": "base2",
				"unit_amount": 2000, "recurring_interval": "year", "currency": "USD", "type": "fixed", "used": false})
		}},
	{Name: "units/patch/usage becomes tiered_usage", Op: "UpdatePricingUnit", Setup: menuOnly, Method: "PATCH", Path: "/units/{usage}",
		Body: apitest.Static(tieredUnit("tiered_usage", "per_call", "calls")), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			u := get(t, c, "/units/"+x["usage"])
			apitest.WantFields(t, "patched unit", u, obj{"type": "tiered_usage", "name": "per_call", "metering_unit_id": x["meter"]})
			apitest.WantAbsent(t, "patched unit", u, "unit_amount")
			apitest.WantJSONEqual(t, "patched tiers", u["tiers"], tiers())
			// The menu shows the new version of its unit.
			m := get(t, c, "/menus/"+x["menu"])
			apitest.WantFields(t, "unit in menu", m["units"].([]any)[1].(obj), obj{"id": x["usage"], "type": "tiered_usage"})
		}},
	{Name: "units/delete", Op: "DeletePricingUnit", Setup: unitsOnly, Method: "DELETE", Path: "/units/{tiered}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/units/"+x["tiered"])
			if got := apitest.IDsOf(list(t, c, "/units", "units")); len(got) != 3 {
				t.Errorf("units after delete: %v, want 3", got)
			}
		}},

	// ---- menus ----
	{Name: "menus/create", Op: "CreatePricingMenu", Setup: unitsOnly, Method: "POST", Path: "/menus",
		Body: func(x ids) any {
			return menuBody("standard", x["fixed"], x["usage"], x["tiered"], x["tiered_usage"])
		}, Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			m := r.JSON(t)
			x["menu"], _ = m["id"].(string)
			wantCatalogMenu(t, m, x)
		}},
	{Name: "menus/create/empty unit_ids", Op: "CreatePricingMenu", Method: "POST", Path: "/menus",
		Body: apitest.Static(menuBody("empty")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if us, ok := r.JSON(t)["units"].([]any); !ok || len(us) != 0 {
				t.Errorf("units = %v, want []", r.JSON(t)["units"])
			}
		}},
	{Name: "menus/get", Op: "GetPricingMenu", Setup: menuOnly, Method: "GET", Path: "/menus/{menu}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantCatalogMenu(t, r.JSON(t), x) }},
	{Name: "menus/list", Op: "GetPricingMenus", Setup: menuOnly, Method: "GET", Path: "/menus", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				PricingMenus []obj `json:"pricing_menus"`
			}
			r.Decode(t, &body)
			if len(body.PricingMenus) != 1 {
				t.Fatalf("%d menus, want 1", len(body.PricingMenus))
			}
			wantCatalogMenu(t, body.PricingMenus[0], x)
		}},
	{Name: "menus/patch", Op: "UpdatePricingMenu", Setup: menuOnly, Method: "PATCH", Path: "/menus/{menu}",
		Body: func(x ids) any { return menuBody("renamed", x["tiered"], x["fixed"]) }, Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			m := get(t, c, "/menus/"+x["menu"])
			apitest.WantFields(t, "patched menu", m, obj{"name": "renamed", "display_name": "Menu renamed", "used": false})
			var got []string
			for _, u := range m["units"].([]any) {
				got = append(got, u.(obj)["id"].(string))
			}
			apitest.WantJSONEqual(t, "unit order", got, []string{x["tiered"], x["fixed"]})
		}},
	{Name: "menus/delete", Op: "DeletePricingMenu", Setup: menuOnly, Method: "DELETE", Path: "/menus/{menu}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/menus/"+x["menu"])
			get(t, c, "/units/"+x["fixed"]) // its units stay
		}},

	// ---- plans ----
	{Name: "plans/create", Op: "CreatePricingPlan", Setup: menuOnly, Method: "POST", Path: "/plans",
		Body: func(x ids) any { return planBody("standard", x["menu"]) }, Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := r.JSON(t)
			x["plan"], _ = p["id"].(string)
			wantCatalogPlan(t, p, x)
		}},
	{Name: "plans/get", Op: "GetPricingPlan", Setup: fullCatalog, Method: "GET", Path: "/plans/{plan}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) { wantCatalogPlan(t, r.JSON(t), x) }},
	{Name: "plans/list", Op: "GetPricingPlans", Setup: fullCatalog, Method: "GET", Path: "/plans", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				PricingPlans []obj `json:"pricing_plans"`
			}
			r.Decode(t, &body)
			if len(body.PricingPlans) != 1 {
				t.Fatalf("%d plans, want 1", len(body.PricingPlans))
			}
			wantCatalogPlan(t, body.PricingPlans[0], x)
		}},
	{Name: "plans/patch", Op: "UpdatePricingPlan", Setup: func(t *testing.T, c apitest.Client) ids {
		x := catalog(t, c)
		x["menu2"] = createID(t, c, "/menus", menuBody("extra", x["usage"]))
		return x
	}, Method: "PATCH", Path: "/plans/{plan}",
		Body: func(x ids) any { return planBody("premium", x["menu2"], x["menu"]) }, Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := get(t, c, "/plans/"+x["plan"])
			apitest.WantFields(t, "patched plan", p, obj{"name": "premium", "display_name": "Plan premium", "used": false})
			ms := p["pricing_menus"].([]any)
			if len(ms) != 2 {
				t.Fatalf("plan has %d menus, want 2", len(ms))
			}
			apitest.WantFields(t, "first menu", ms[0].(obj), obj{"id": x["menu2"], "name": "extra"})
			wantCatalogMenu(t, ms[1].(obj), x)
		}},
	{Name: "plans/delete", Op: "DeletePricingPlan", Setup: fullCatalog, Method: "DELETE", Path: "/plans/{plan}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantNotFound(t, c, "/plans/"+x["plan"])
			get(t, c, "/menus/"+x["menu"]) // its menus stay
		}},
	{Name: "plans/used propagates to menus, units and meters", Op: "UpdatePricingPlansUsed",
		Setup: func(t *testing.T, c apitest.Client) ids {
			x := catalog(t, c)
			// Objects outside the plan must stay unused.
			x["spare_meter"] = createID(t, c, "/metering/units", meterBody("spare"))
			x["spare_unit"] = createID(t, c, "/units", usageUnit("spare", "spare"))
			x["spare_menu"] = createID(t, c, "/menus", menuBody("spare", x["spare_unit"]))
			x["spare_plan"] = createID(t, c, "/plans", planBody("spare", x["spare_menu"]))
			return x
		}, Method: "PATCH", Path: "/plans/used", Body: func(x ids) any { return obj{"plan_ids": []string{x["plan"]}} }, Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			p := get(t, c, "/plans/"+x["plan"])
			apitest.WantFields(t, "plan", p, obj{"used": true})
			m := p["pricing_menus"].([]any)[0].(obj)
			apitest.WantFields(t, "nested menu", m, obj{"used": true})
			for _, u := range m["units"].([]any) {
				apitest.WantFields(t, "nested unit "+u.(obj)["type"].(string), u.(obj), obj{"used": true})
			}
			apitest.WantFields(t, "menu", get(t, c, "/menus/"+x["menu"]), obj{"used": true})
			for _, v := range []string{"fixed", "usage", "tiered", "tiered_usage"} {
				apitest.WantFields(t, "unit "+v, get(t, c, "/units/"+x[v]), obj{"used": true})
			}
			meters := list(t, c, "/metering/units", "units")
			apitest.WantFields(t, "meter", apitest.Find(meters, x["meter"]), obj{"used": true})
			apitest.WantFields(t, "spare meter", apitest.Find(meters, x["spare_meter"]), obj{"used": false})
			apitest.WantFields(t, "spare unit", get(t, c, "/units/"+x["spare_unit"]), obj{"used": false})
			apitest.WantFields(t, "spare menu", get(t, c, "/menus/"+x["spare_menu"]), obj{"used": false})
			apitest.WantFields(t, "spare plan", get(t, c, "/plans/"+x["spare_plan"]), obj{"used": false})
			// Marking again is not an error.
			okEmpty(t, c, "PATCH", "/plans/used", obj{"plan_ids": []string{x["plan"]}})
		}},

	// ---- stripe ----
	{Name: "stripe/init", Op: "LinkPlanToStripe", Setup: fullCatalog, Method: "PATCH", Path: "/stripe/init", Status: 400,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "stripe_not_linked")
		}},
	{Name: "stripe/delete", Op: "DeleteStripePlan", Method: "DELETE", Path: "/stripe", Status: 400,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "stripe_not_linked")
		}},

	// ---- reset ----
	{Name: "plans-initialization wipes this SaaS only", Op: "DeleteAllPlansAndMenusAndUnitsAndMetersAndTaxRates",
		Setup: func(t *testing.T, c apitest.Client) ids {
			x := catalog(t, c)
			okEmpty(t, c, "PATCH", "/plans/used", obj{"plan_ids": []string{x["plan"]}}) // used objects go too
			x["tax"] = createID(t, c, "/tax-rates", taxRateBody("jct"))
			otherSaaS(t, c, x)
			x["b_tax"] = createID(t, other(c, x), "/tax-rates", taxRateBody("jct"))
			return x
		}, Method: "DELETE", Path: "/plans-initialization", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
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
	{Name: "tax-rates/create", Op: "CreateTaxRate", Method: "POST", Path: "/tax-rates",
		Body: apitest.Static(apitest.With(taxRateBody("jct_reduced"), "percentage", json.Number("8.5"), "inclusive", true)), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			tr := r.JSON(t)
			apitest.WantFields(t, "tax rate", tr, obj{"name": "jct_reduced", "display_name": "消費税(外税)", "percentage": 8.5,
				"inclusive": true, "country": "JP", "description": "consumption tax"})
			if !bytes.Contains(r.Body, []byte(`"percentage":8.5,`)) {
				t.Errorf("percentage is not exactly 8.5 on the wire: %s", r.Body)
			}
			raw := c.Do(t, "GET", P+"/tax-rates", nil).Want(t, 200).Body
			if !bytes.Contains(raw, []byte(`"percentage":8.5,`)) {
				t.Errorf("percentage is not exactly 8.5 when listed: %s", raw)
			}
		}},
	{Name: "tax-rates/list", Op: "GetTaxRates", Setup: func(t *testing.T, c apitest.Client) ids {
		return ids{"a": createID(t, c, "/tax-rates", taxRateBody("a")), "b": createID(t, c, "/tax-rates", apitest.With(taxRateBody("b"), "percentage", 0))}
	}, Method: "GET", Path: "/tax-rates", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct {
				TaxRates []obj `json:"tax_rates"`
			}
			r.Decode(t, &body)
			apitest.WantJSONEqual(t, "ids", apitest.IDsOf(body.TaxRates), []string{x["a"], x["b"]})
			apitest.WantFields(t, "b", body.TaxRates[1], obj{"percentage": 0, "name": "b"})
		}},
	{Name: "tax-rates/patch changes only display_name and description", Op: "UpdateTaxRate",
		Setup: func(t *testing.T, c apitest.Client) ids {
			return ids{"tax": createID(t, c, "/tax-rates", taxRateBody("jct"))}
		},
		Method: "PATCH", Path: "/tax-rates/{tax}",
		Body: apitest.Static(obj{"display_name": "消費税", "description": "new", "name": "other", "percentage": 50, "country": "US", "inclusive": true}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			tr := apitest.Find(list(t, c, "/tax-rates", "tax_rates"), x["tax"])
			apitest.WantFields(t, "tax rate", tr, obj{"display_name": "消費税", "description": "new", "name": "jct", "percentage": 10, "country": "JP", "inclusive": false})
		}},

	// ---- meters ----
	{Name: "meters/create", Op: "CreateMeteringUnit", Method: "POST", Path: "/metering/units", Body: apitest.Static(meterBody("calls")), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "meter", r.JSON(t), obj{"unit_name": "calls", "display_name": "Meter calls", "description": "counts calls", "aggregate_usage": "sum", "used": false})
		}},
	{Name: "meters/create/without aggregate_usage", Op: "CreateMeteringUnit", Method: "POST", Path: "/metering/units",
		Body: apitest.Static(apitest.With(meterBody("users"), "aggregate_usage", nil)), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "meter", r.JSON(t), obj{"unit_name": "users", "used": false})
		}},
	{Name: "meters/list", Op: "GetMeteringUnits", Setup: func(t *testing.T, c apitest.Client) ids {
		return ids{"a": createID(t, c, "/metering/units", meterBody("a")), "b": createID(t, c, "/metering/units", apitest.With(meterBody("b"), "aggregate_usage", "max"))}
	}, Method: "GET", Path: "/metering/units", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			var body struct{ Units []obj }
			r.Decode(t, &body)
			apitest.WantJSONEqual(t, "ids", apitest.IDsOf(body.Units), []string{x["a"], x["b"]})
			apitest.WantFields(t, "b", body.Units[1], obj{"unit_name": "b", "aggregate_usage": "max", "used": false})
		}},
	{Name: "meters/patch", Op: "UpdateMeteringUnitByID", Setup: meterOnly, Method: "PATCH", Path: "/metering/units/{meter}",
		Body: apitest.Static(apitest.With(meterBody("api_calls"), "aggregate_usage", "max", "display_name", "API calls")), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "meter", apitest.Find(list(t, c, "/metering/units", "units"), x["meter"]),
				obj{"unit_name": "api_calls", "aggregate_usage": "max", "display_name": "API calls"})
		}},
	{Name: "meters/delete", Op: "DeleteMeteringUnitByID", Setup: meterOnly, Method: "DELETE", Path: "/metering/units/{meter}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := list(t, c, "/metering/units", "units"); len(got) != 0 {
				t.Errorf("meters after delete: %v", got)
			}
		}},

	// ---- the test endpoint ----
	{Name: "errors/internal-server-error", Op: "ReturnInternalServerError", Method: "GET", Path: "/errors/internal-server-error", Status: 500,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 500, "internal_server_error")
		}},
}

// TestScenarios runs every scenario in a fresh SaaS on every backend. Each
// response is checked by the harness (trace id, content type, error shape,
// upstream schema of 2xx bodies).
func TestScenarios(t *testing.T) {
	t.Parallel()
	apitest.RunScenarios(t, P, scenarios)
}
