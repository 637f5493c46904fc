package pricingapi_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

func tier(upTo int, inf bool) obj {
	return obj{"up_to": upTo, "unit_amount": 10, "flat_amount": 0, "inf": inf}
}

func tiered(ts ...any) obj {
	if ts == nil {
		ts = []any{}
	}
	return apitest.With(tieredUnit("tiered", "volume", "calls"), "tiers", ts)
}

// TestMeteredUnitsNeedAnExistingMeter: usage and tiered units name a meter
// by unit_name, which must exist, and come back with its id.
func TestMeteredUnitsNeedAnExistingMeter(t *testing.T) {
	t.Parallel()
	runOutcomes(t, []outcome{
		invalid("usage", "POST", "/units", usageUnit("u", "nope"), "metering_unit_name", "nope"),
		invalid("tiered", "POST", "/units", tieredUnit("tiered", "u", "nope"), "metering_unit_name"),
		invalid("tiered_usage", "POST", "/units", tieredUnit("tiered_usage", "u", "nope"), "metering_unit_name"),
		withMeter(invalid("empty name", "POST", "/units", usageUnit("u", ""), "metering_unit_name")),
		withMeter(invalid("case matters", "POST", "/units", usageUnit("u", "CALLS"), "metering_unit_name")),
		{name: "patch to an unknown meter", setup: unitsOnly, method: "PATCH", path: "/units/{usage}",
			body: apitest.Static(usageUnit("per_call", "nope")), status: 400, typ: "invalid_request", fields: []string{"metering_unit_name"}},
		{name: "patch to another meter", setup: func(t *testing.T, c apitest.Client) ids {
			x := unitsOnly(t, c)
			x["users"] = createID(t, c, "/metering/units", meterBody("users"))
			return x
		}, method: "PATCH", path: "/units/{usage}", body: apitest.Static(usageUnit("per_call", "users")), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "unit", get(t, c, "/units/"+x["usage"]), obj{"metering_unit_id": x["users"], "metering_unit_name": "users"})
			}},
	})
}

// TestTierRules: at least one tier, up_to strictly ascending and non-zero
// on bounded tiers, exactly the last tier inf.
func TestTierRules(t *testing.T) {
	t.Parallel()
	cases := []outcome{
		invalid("empty", "POST", "/units", tiered(), "tiers"),
		invalid("not ascending", "POST", "/units", tiered(tier(20, false), tier(10, false), tier(0, true)), "tiers[1].up_to"),
		invalid("equal up_to", "POST", "/units", tiered(tier(10, false), tier(10, false), tier(0, true)), "tiers[1].up_to"),
		invalid("inf not last", "POST", "/units", tiered(tier(0, true), tier(10, false)), "tiers[0].inf", "tiers[1].inf"),
		invalid("two infs", "POST", "/units", tiered(tier(10, false), tier(0, true), tier(0, true)), "tiers[1].inf"),
		invalid("no inf", "POST", "/units", tiered(tier(10, false), tier(20, false)), "tiers[1].inf"),
		invalid("zero up_to on a bounded tier", "POST", "/units", tiered(tier(0, false), tier(0, true)), "tiers[0].up_to"),
		invalid("tiered_usage too", "POST", "/units", apitest.With(tiered(tier(5, false), tier(3, false), tier(0, true)), "type", "tiered_usage"), "tiers[1].up_to"),
		{name: "one inf tier is enough", method: "POST", path: "/units", body: apitest.Static(tiered(tier(0, true))), status: 201},
		{name: "inf tier's up_to is ignored", method: "POST", path: "/units", body: apitest.Static(tiered(tier(10, false), tier(5, true))), status: 201},
		{name: "patch with bad tiers", setup: unitsOnly, method: "PATCH", path: "/units/{tiered}",
			body: apitest.Static(tiered(tier(10, false))), status: 400, typ: "invalid_request", fields: []string{"tiers[0].inf"}},
	}
	for i := range cases {
		if cases[i].setup == nil {
			cases[i].setup = meterOnly
		}
	}
	runOutcomes(t, cases)
}

// TestUsedObjects: once PATCH /plans/used has run, used objects cannot be
// deleted, and only name, display_name and description of units, menus and
// plans (display_name and description of meters) can change.
func TestUsedObjects(t *testing.T) {
	t.Parallel()
	used := func(paths ...string) func(t *testing.T, c apitest.Client) ids {
		return func(t *testing.T, c apitest.Client) ids { return snap(t, c, usedCatalog(t, c), paths...) }
	}
	conflict := func(name, method, path string, body func(ids) any, snapPath string) outcome {
		return outcome{name: name, setup: used(snapPath), method: method, path: path, body: body,
			status: 409, typ: "used_object", after: unchanged(snapPath)}
	}
	renamedUnit := func(variant string) func(ids) any {
		return func(x ids) any {
			var b obj
			switch variant {
			case "fixed":
				b = fixedUnit("base")
			case "usage":
				b = usageUnit("per_call", "calls")
			default:
				b = tieredUnit(variant, "n", "calls")
			}
			return apitest.With(b, "name", "renamed", "display_name", "Renamed", "description", "new text")
		}
	}
	runOutcomes(t, []outcome{
		conflict("delete plan", "DELETE", "/plans/{plan}", nil, "/plans/{plan}"),
		conflict("delete menu", "DELETE", "/menus/{menu}", nil, "/menus/{menu}"),
		conflict("delete unit", "DELETE", "/units/{usage}", nil, "/units/{usage}"),
		conflict("delete meter", "DELETE", "/metering/units/{meter}", nil, "/metering/units"),
		conflict("unit amount", "PATCH", "/units/{fixed}", apitest.Static(apitest.With(fixedUnit("base"), "unit_amount", 1)), "/units/{fixed}"),
		conflict("unit interval", "PATCH", "/units/{fixed}", apitest.Static(apitest.With(fixedUnit("base"), "recurring_interval", "year")), "/units/{fixed}"),
		conflict("unit currency", "PATCH", "/units/{fixed}", apitest.Static(apitest.With(fixedUnit("base"), "currency", "USD")), "/units/{fixed}"),
		conflict("unit type", "PATCH", "/units/{usage}", apitest.Static(tieredUnit("tiered", "per_call", "calls")), "/units/{usage}"),
		conflict("unit upper_count", "PATCH", "/units/{usage}", apitest.Static(apitest.With(usageUnit("per_call", "calls"), "upper_count", 5)), "/units/{usage}"),
		conflict("unit aggregate_usage", "PATCH", "/units/{usage}", apitest.Static(apitest.With(usageUnit("per_call", "calls"), "aggregate_usage", "max")), "/units/{usage}"),
		conflict("unit tiers", "PATCH", "/units/{tiered}", apitest.Static(tiered(tier(0, true))), "/units/{tiered}"),
		{name: "unit meter", setup: func(t *testing.T, c apitest.Client) ids {
			x := usedCatalog(t, c)
			createID(t, c, "/metering/units", meterBody("other"))
			return snap(t, c, x, "/units/{usage}")
		}, method: "PATCH", path: "/units/{usage}", body: apitest.Static(usageUnit("per_call", "other")), status: 409, typ: "used_object", after: unchanged("/units/{usage}")},
		conflict("menu unit_ids", "PATCH", "/menus/{menu}", func(x ids) any { return menuBody("standard", x["fixed"]) }, "/menus/{menu}"),
		conflict("menu unit order", "PATCH", "/menus/{menu}", func(x ids) any {
			return menuBody("standard", x["usage"], x["fixed"], x["tiered"], x["tiered_usage"])
		}, "/menus/{menu}"),
		conflict("plan menu_ids", "PATCH", "/plans/{plan}", apitest.Static(planBody("standard")), "/plans/{plan}"),
		conflict("meter unit_name", "PATCH", "/metering/units/{meter}", apitest.Static(meterBody("renamed")), "/metering/units"),
		conflict("meter aggregate_usage", "PATCH", "/metering/units/{meter}", apitest.Static(apitest.With(meterBody("calls"), "aggregate_usage", "max")), "/metering/units"),

		{name: "fixed unit texts change", setup: usedCatalog, method: "PATCH", path: "/units/{fixed}", body: renamedUnit("fixed"), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "unit", get(t, c, "/units/"+x["fixed"]), obj{"name": "renamed", "display_name": "Renamed", "description": "new text", "used": true, "unit_amount": 1000})
			}},
		{name: "usage unit texts change", setup: usedCatalog, method: "PATCH", path: "/units/{usage}", body: renamedUnit("usage"), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "unit", get(t, c, "/units/"+x["usage"]), obj{"name": "renamed", "used": true, "unit_amount": 3})
			}},
		{name: "tiered unit texts change", setup: usedCatalog, method: "PATCH", path: "/units/{tiered}", body: renamedUnit("tiered"), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "unit", get(t, c, "/units/"+x["tiered"]), obj{"name": "renamed", "used": true})
			}},
		{name: "menu texts change", setup: usedCatalog, method: "PATCH", path: "/menus/{menu}",
			body: func(x ids) any {
				return apitest.With(menuBody("standard", x["fixed"], x["usage"], x["tiered"], x["tiered_usage"]), "name", "renamed", "description", "new")
			}, status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				m := get(t, c, "/menus/"+x["menu"])
				apitest.WantFields(t, "menu", m, obj{"name": "renamed", "description": "new", "used": true})
				if n := len(m["units"].([]any)); n != 4 {
					t.Errorf("menu has %d units, want 4", n)
				}
			}},
		{name: "plan texts change", setup: usedCatalog, method: "PATCH", path: "/plans/{plan}",
			body: func(x ids) any { return apitest.With(planBody("standard", x["menu"]), "display_name", "Premium") }, status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "plan", get(t, c, "/plans/"+x["plan"]), obj{"display_name": "Premium", "used": true})
			}},
		{name: "meter texts change", setup: usedCatalog, method: "PATCH", path: "/metering/units/{meter}",
			body: apitest.Static(apitest.With(meterBody("calls"), "display_name", "Calls", "description", "new")), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "meter", apitest.Find(list(t, c, "/metering/units", "units"), x["meter"]),
					obj{"unit_name": "calls", "display_name": "Calls", "description": "new", "used": true})
			}},
		{name: "a used unit joins a new menu", setup: usedCatalog, method: "POST", path: "/menus",
			body: func(x ids) any { return menuBody("new", x["usage"]) }, status: 201},
	})
}

// TestReferencedObjects: objects that others reference cannot be deleted
// (409 conflict) even while unused, and a referenced meter keeps its name.
func TestReferencedObjects(t *testing.T) {
	t.Parallel()
	ref := func(name, method, path string, body func(ids) any, snapPath string) outcome {
		return outcome{name: name, method: method, path: path, body: body, status: 409, typ: "conflict",
			setup: func(t *testing.T, c apitest.Client) ids { return snap(t, c, catalog(t, c), snapPath) },
			after: unchanged(snapPath)}
	}
	runOutcomes(t, []outcome{
		ref("delete meter used by a unit", "DELETE", "/metering/units/{meter}", nil, "/metering/units"),
		ref("delete unit in a menu", "DELETE", "/units/{fixed}", nil, "/units/{fixed}"),
		ref("delete menu in a plan", "DELETE", "/menus/{menu}", nil, "/menus/{menu}"),
		ref("rename meter used by a unit", "PATCH", "/metering/units/{meter}", apitest.Static(meterBody("renamed")), "/metering/units"),
		{name: "texts of a referenced meter change", setup: fullCatalog, method: "PATCH", path: "/metering/units/{meter}",
			body: apitest.Static(apitest.With(meterBody("calls"), "display_name", "Calls")), status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				apitest.WantFields(t, "unit", get(t, c, "/units/"+x["usage"]), obj{"metering_unit_name": "calls"})
			}},
		{name: "delete the plan, then its menu", setup: fullCatalog, method: "DELETE", path: "/plans/{plan}", status: 200,
			after: func(t *testing.T, c apitest.Client, x ids) {
				okEmpty(t, c, "DELETE", "/menus/"+x["menu"], nil)
				for _, v := range []string{"fixed", "usage", "tiered", "tiered_usage"} {
					okEmpty(t, c, "DELETE", "/units/"+x[v], nil)
				}
				okEmpty(t, c, "DELETE", "/metering/units/"+x["meter"], nil)
			}},
	})
}

// TestTaxRateRules: unique names, ISO country codes in capitals, a number
// from 0 to 100 kept exactly, and only display_name and description change.
func TestTaxRateRules(t *testing.T) {
	t.Parallel()
	oneRate := func(t *testing.T, c apitest.Client) ids {
		return snap(t, c, ids{"tax": createID(t, c, "/tax-rates", taxRateBody("jct"))}, "/tax-rates")
	}
	bad := func(name string, body obj, fields ...string) outcome {
		return invalid(name, "POST", "/tax-rates", body, fields...)
	}
	runOutcomes(t, []outcome{
		{name: "duplicate name", setup: oneRate, method: "POST", path: "/tax-rates", body: apitest.Static(apitest.With(taxRateBody("jct"), "percentage", 8)),
			status: 400, typ: "duplicate_name", fields: []string{"name", "jct"}, after: unchanged("/tax-rates")},
		bad("lower-case country", apitest.With(taxRateBody("t"), "country", "jp"), "country"),
		bad("three-letter country", apitest.With(taxRateBody("t"), "country", "JPN"), "country"),
		bad("empty country", apitest.With(taxRateBody("t"), "country", ""), "country"),
		bad("percentage 101", apitest.With(taxRateBody("t"), "percentage", 101), "percentage"),
		bad("percentage -1", apitest.With(taxRateBody("t"), "percentage", -1), "percentage"),
		bad("percentage as a string", apitest.With(taxRateBody("t"), "percentage", "10"), "percentage"),
		bad("percentage true", apitest.With(taxRateBody("t"), "percentage", true), "percentage"),
		bad("percentage null", obj{"name": "t", "display_name": "d", "percentage": nil, "inclusive": true, "country": "JP", "description": ""}, "percentage"),
		bad("percentage with 5 decimals", apitest.With(taxRateBody("t"), "percentage", 8.12345), "percentage"),
		bad("huge exponent", apitest.With(taxRateBody("t"), "percentage", rawNumber("1e9999999")), "percentage"),
		bad("inclusive missing", apitest.With(taxRateBody("t"), "inclusive", nil), "inclusive"),
		bad("inclusive as a string", apitest.With(taxRateBody("t"), "inclusive", "true"), "inclusive"),
		bad("empty name", apitest.With(taxRateBody("t"), "name", ""), "name"),
		{name: "percentage 100", method: "POST", path: "/tax-rates", body: apitest.Static(apitest.With(taxRateBody("t"), "percentage", 100)), status: 201},
		{name: "percentage 1e1 is 10", method: "POST", path: "/tax-rates", body: apitest.Static(apitest.With(taxRateBody("t"), "percentage", rawNumber("1e1"))), status: 201,
			after: func(t *testing.T, c apitest.Client, x ids) {
				if raw := c.Do(t, "GET", P+"/tax-rates", nil).Want(t, 200).Body; !bytes.Contains(raw, []byte(`"percentage":10,`)) {
					t.Errorf("percentage not normalised to 10: %s", raw)
				}
			}},
		{name: "percentage 8.50 is 8.5", method: "POST", path: "/tax-rates", body: apitest.Static(apitest.With(taxRateBody("t"), "percentage", rawNumber("8.50"))), status: 201,
			after: func(t *testing.T, c apitest.Client, x ids) {
				if raw := c.Do(t, "GET", P+"/tax-rates", nil).Want(t, 200).Body; !bytes.Contains(raw, []byte(`"percentage":8.5,`)) {
					t.Errorf("percentage not 8.5: %s", raw)
				}
			}},
		{name: "patch without description", setup: oneRate, method: "PATCH", path: "/tax-rates/{tax}",
			body: apitest.Static(obj{"display_name": "x"}), status: 400, typ: "invalid_request", fields: []string{"description"}, after: unchanged("/tax-rates")},
		{name: "patch an unknown id", method: "PATCH", path: "/tax-rates/nope",
			body: apitest.Static(obj{"display_name": "x", "description": "y"}), status: 404, typ: "not_found"},
	})
}

// rawNumber is a JSON number sent exactly as written.
type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// TestMeterRules: unit_name is unique, is not date or month (they collide
// with the all-meter count routes) and holds no '/'.
func TestMeterRules(t *testing.T) {
	t.Parallel()
	twoMeters := func(t *testing.T, c apitest.Client) ids {
		x := meterOnly(t, c)
		x["users"] = createID(t, c, "/metering/units", meterBody("users"))
		return snap(t, c, x, "/metering/units")
	}
	runOutcomes(t, []outcome{
		invalid("date", "POST", "/metering/units", meterBody("date"), "unit_name"),
		invalid("month", "POST", "/metering/units", meterBody("month"), "unit_name"),
		invalid("a/b", "POST", "/metering/units", meterBody("a/b"), "unit_name"),
		invalid("query char", "POST", "/metering/units", meterBody("a?b"), "unit_name"),
		invalid("space", "POST", "/metering/units", meterBody("a b"), "unit_name"),
		invalid("empty", "POST", "/metering/units", meterBody(""), "unit_name"),
		invalid("aggregate_usage avg", "POST", "/metering/units", apitest.With(meterBody("m"), "aggregate_usage", "avg"), "aggregate_usage"),
		invalid("unit_name missing", "POST", "/metering/units", apitest.With(meterBody("m"), "unit_name", nil), "unit_name"),
		invalid("display_name missing", "POST", "/metering/units", apitest.With(meterBody("m"), "display_name", nil), "display_name"),
		{name: "duplicate unit_name", setup: twoMeters, method: "POST", path: "/metering/units", body: apitest.Static(meterBody("calls")),
			status: 400, typ: "duplicate_name", fields: []string{"unit_name", "calls"}, after: unchanged("/metering/units")},
		{name: "rename onto another meter", setup: twoMeters, method: "PATCH", path: "/metering/units/{users}", body: apitest.Static(meterBody("calls")),
			status: 400, typ: "duplicate_name", fields: []string{"unit_name"}, after: unchanged("/metering/units")},
		{name: "rename to date", setup: twoMeters, method: "PATCH", path: "/metering/units/{users}", body: apitest.Static(meterBody("date")),
			status: 400, typ: "invalid_request", fields: []string{"unit_name"}, after: unchanged("/metering/units")},
		{name: "dates and months inside a name are fine", method: "POST", path: "/metering/units", body: apitest.Static(meterBody("date_month")), status: 201},
	})
}

// TestMaxAmountRoundTrips: the largest accepted amount comes back exactly.
func TestMaxAmountRoundTrips(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		c := srv.NewSaaS(t)
		const max = "9223372036854775807"
		r := c.Do(t, http.MethodPost, P+"/units", apitest.With(fixedUnit("max"), "unit_amount", rawNumber(max))).Want(t, http.StatusCreated)
		id, _ := r.JSON(t)["id"].(string)
		if !bytes.Contains(r.Body, []byte(`"unit_amount":`+max)) {
			t.Errorf("create: %s", r.Body)
		}
		if raw := c.Do(t, http.MethodGet, P+"/units/"+id, nil).Want(t, http.StatusOK).Body; !bytes.Contains(raw, []byte(`"unit_amount":`+max)) {
			t.Errorf("get: %s", raw)
		}
	})
}
