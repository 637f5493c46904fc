package pricingapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// requiredFields lists, per unit type, the fields upstream requires.
var requiredFields = map[string][]string{
	"fixed":        {"name", "display_name", "description", "type", "currency", "unit_amount", "recurring_interval"},
	"usage":        {"name", "display_name", "description", "type", "currency", "unit_amount", "upper_count", "metering_unit_name"},
	"tiered":       {"name", "display_name", "description", "type", "currency", "upper_count", "metering_unit_name", "tiers"},
	"tiered_usage": {"name", "display_name", "description", "type", "currency", "upper_count", "metering_unit_name", "tiers"},
}

func unitOf(variant string) obj {
	switch variant {
	case "fixed":
		return fixedUnit("u")
	case "usage":
		return usageUnit("u", "calls")
	}
	return tieredUnit(variant, "u", "calls")
}

// TestBadUnitBodies: every malformed or incomplete unit body is a 400 that
// names the field, never a 500 and never a write.
func TestBadUnitBodies(t *testing.T) {
	t.Parallel()
	raw := func(name, body string, fields ...string) outcome {
		return invalid(name, "POST", "/units", body, fields...)
	}
	cases := []outcome{
		raw("malformed JSON", `{"name":`),
		raw("trailing comma", `{"name":"a",}`),
		raw("empty body", ``),
		raw("only spaces", "  \n "),
		raw("JSON array", `[]`),
		raw("array of objects", `[{"name":"a"}]`),
		raw("JSON string", `"unit"`),
		raw("JSON null", `null`),
		raw("JSON number", `5`),
		raw("trailing garbage", `{"name":"a"} x`),
		raw("two objects", `{}{}`),
		raw("deeply nested", `{"x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`),
		invalid("name is a number", "POST", "/units", apitest.With(fixedUnit("u"), "name", 5), "name"),
		invalid("display_name is a bool", "POST", "/units", apitest.With(fixedUnit("u"), "display_name", true), "display_name"),
		invalid("unit_amount is a string", "POST", "/units", apitest.With(fixedUnit("u"), "unit_amount", "1000"), "unit_amount"),
		invalid("tiers is an object", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", obj{}), "tiers"),
		invalid("up_to is a string", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", []any{obj{"up_to": "5", "unit_amount": 1, "flat_amount": 0, "inf": true}}), "up_to"),
		invalid("currency EUR", "POST", "/units", apitest.With(fixedUnit("u"), "currency", "EUR"), "currency"),
		invalid("type bogus", "POST", "/units", apitest.With(fixedUnit("u"), "type", "bogus"), "type"),
		invalid("type empty", "POST", "/units", apitest.With(fixedUnit("u"), "type", ""), "type"),
		invalid("recurring_interval week", "POST", "/units", apitest.With(fixedUnit("u"), "recurring_interval", "week"), "recurring_interval"),
		invalid("aggregate_usage avg", "POST", "/units", apitest.With(usageUnit("u", "calls"), "aggregate_usage", "avg"), "aggregate_usage"),
		// Wrong discriminator: the body of one variant labelled as another
		// lacks the fields of the label.
		invalid("usage fields typed fixed", "POST", "/units", apitest.With(usageUnit("u", "calls"), "type", "fixed"), "recurring_interval"),
		invalid("fixed fields typed usage", "POST", "/units", apitest.With(fixedUnit("u"), "type", "usage"), "upper_count", "metering_unit_name"),
		invalid("tiered fields typed usage", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "type", "usage"), "unit_amount"),
		invalid("usage fields typed tiered", "POST", "/units", apitest.With(usageUnit("u", "calls"), "type", "tiered"), "tiers"),
		invalid("negative unit_amount", "POST", "/units", apitest.With(fixedUnit("u"), "unit_amount", -1), "unit_amount"),
		invalid("negative upper_count", "POST", "/units", apitest.With(usageUnit("u", "calls"), "upper_count", -5), "upper_count"),
		invalid("negative flat_amount", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", []any{obj{"up_to": 0, "unit_amount": 1, "flat_amount": -1, "inf": true}}), "flat_amount"),
		invalid("fractional unit_amount", "POST", "/units", apitest.With(fixedUnit("u"), "unit_amount", 1.5), "unit_amount"),
		invalid("fractional up_to", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", []any{obj{"up_to": 0.5, "unit_amount": 1, "flat_amount": 0, "inf": true}}), "up_to"),
		invalid("unit_amount 2^63", "POST", "/units", apitest.With(fixedUnit("u"), "unit_amount", rawNumber("9223372036854775808")), "unit_amount"),
		invalid("unit_amount 2^64", "POST", "/units", apitest.With(fixedUnit("u"), "unit_amount", rawNumber("18446744073709551616")), "unit_amount"),
		invalid("upper_count 1e30", "POST", "/units", apitest.With(usageUnit("u", "calls"), "upper_count", rawNumber("1e30")), "upper_count"),
		invalid("up_to 2^63", "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", []any{obj{"up_to": rawNumber("9223372036854775808"), "unit_amount": 1, "flat_amount": 0, "inf": true}}), "up_to"),
		invalid("name with NUL", "POST", "/units", apitest.With(fixedUnit("u"), "name", "a\x00b"), "name"),
		invalid("name too long", "POST", "/units", apitest.With(fixedUnit("u"), "name", strings.Repeat("n", 256)), "name"),
		invalid("blank name", "POST", "/units", apitest.With(fixedUnit("u"), "name", "   "), "name"),
	}
	for _, v := range []string{"fixed", "usage", "tiered", "tiered_usage"} {
		for _, f := range requiredFields[v] {
			cases = append(cases,
				invalid(fmt.Sprintf("%s without %s", v, f), "POST", "/units", apitest.With(unitOf(v), f, nil), f),
				invalid(fmt.Sprintf("%s with null %s", v, f), "POST", "/units", apitest.With(unitOf(v), f, jsonNull{}), f))
		}
	}
	for _, f := range []string{"up_to", "unit_amount", "flat_amount", "inf"} {
		tier := apitest.With(obj{"up_to": 0, "unit_amount": 1, "flat_amount": 0, "inf": true}, f, nil)
		cases = append(cases, invalid("tier without "+f, "POST", "/units", apitest.With(tieredUnit("tiered", "u", "calls"), "tiers", []any{tier}), "tiers[0]", f))
	}
	for i := range cases {
		cases[i].setup = func(t *testing.T, c apitest.Client) ids { return snap(t, c, meterOnly(t, c), "/units") }
		cases[i].after = unchanged("/units")
	}
	// A PATCH with a bad body changes nothing either.
	cases = append(cases,
		outcome{name: "patch with a malformed body", setup: func(t *testing.T, c apitest.Client) ids { return snap(t, c, unitsOnly(t, c), "/units/{fixed}") },
			method: "PATCH", path: "/units/{fixed}", body: apitest.Static(`{"name":"x"`), status: 400, typ: "invalid_request", after: unchanged("/units/{fixed}")},
		outcome{name: "patch without unit_amount", setup: func(t *testing.T, c apitest.Client) ids { return snap(t, c, unitsOnly(t, c), "/units/{fixed}") },
			method: "PATCH", path: "/units/{fixed}", body: apitest.Static(apitest.With(fixedUnit("x"), "unit_amount", nil)), status: 400, typ: "invalid_request",
			fields: []string{"unit_amount"}, after: unchanged("/units/{fixed}")},
	)
	runOutcomes(t, cases)
}

// jsonNull encodes as null (a nil value in apitest.With() deletes the key).
type jsonNull struct{}

func (jsonNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// TestBadReferences: ids in unit_ids, menu_ids and plan_ids must name
// objects of the SaaS, once each; nothing is written otherwise.
func TestBadReferences(t *testing.T) {
	t.Parallel()
	const unknown = "00000000-0000-4000-8000-000000000000"
	snapCatalog := func(paths ...string) func(t *testing.T, c apitest.Client) ids {
		return func(t *testing.T, c apitest.Client) ids { return snap(t, c, catalog(t, c), paths...) }
	}
	lists := []string{"/menus", "/plans"}
	runOutcomes(t, []outcome{
		{name: "menu with an unknown unit id", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: func(x ids) any { return menuBody("m", x["fixed"], unknown) }, status: 400, typ: "invalid_request",
			fields: []string{"unit_ids[1]", unknown}, after: unchanged(lists...)},
		{name: "menu with a duplicate unit id", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: func(x ids) any { return menuBody("m", x["fixed"], x["usage"], x["fixed"]) }, status: 400, typ: "invalid_request",
			fields: []string{"unit_ids[2]"}, after: unchanged(lists...)},
		{name: "menu with an empty unit id", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: apitest.Static(menuBody("m", "")), status: 400, typ: "invalid_request", fields: []string{"unit_ids[0]"}, after: unchanged(lists...)},
		{name: "menu with a meter id as unit id", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: func(x ids) any { return menuBody("m", x["meter"]) }, status: 400, typ: "invalid_request", fields: []string{"unit_ids[0]"}, after: unchanged(lists...)},
		{name: "menu without unit_ids", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: apitest.Static(apitest.With(menuBody("m"), "unit_ids", nil)), status: 400, typ: "invalid_request", fields: []string{"unit_ids"}, after: unchanged(lists...)},
		{name: "menu with unit_ids a string", setup: snapCatalog(lists...), method: "POST", path: "/menus",
			body: func(x ids) any { return apitest.With(menuBody("m"), "unit_ids", x["fixed"]) }, status: 400, typ: "invalid_request", fields: []string{"unit_ids"}, after: unchanged(lists...)},
		{name: "patch menu to an unknown unit id", setup: snapCatalog("/menus/{menu}"), method: "PATCH", path: "/menus/{menu}",
			body: apitest.Static(menuBody("m", unknown)), status: 400, typ: "invalid_request", fields: []string{"unit_ids[0]"}, after: unchanged("/menus/{menu}")},
		{name: "plan with an unknown menu id", setup: snapCatalog(lists...), method: "POST", path: "/plans",
			body: func(x ids) any { return planBody("p", unknown, x["menu"]) }, status: 400, typ: "invalid_request",
			fields: []string{"menu_ids[0]"}, after: unchanged(lists...)},
		{name: "plan with a duplicate menu id", setup: snapCatalog(lists...), method: "POST", path: "/plans",
			body: func(x ids) any { return planBody("p", x["menu"], x["menu"]) }, status: 400, typ: "invalid_request",
			fields: []string{"menu_ids[1]"}, after: unchanged(lists...)},
		{name: "plan with a unit id as menu id", setup: snapCatalog(lists...), method: "POST", path: "/plans",
			body: func(x ids) any { return planBody("p", x["fixed"]) }, status: 400, typ: "invalid_request", fields: []string{"menu_ids[0]"}, after: unchanged(lists...)},
		{name: "patch plan to an unknown menu id", setup: snapCatalog("/plans/{plan}"), method: "PATCH", path: "/plans/{plan}",
			body: apitest.Static(planBody("p", unknown)), status: 400, typ: "invalid_request", fields: []string{"menu_ids[0]"}, after: unchanged("/plans/{plan}")},
		{name: "plans/used with one good and one unknown id marks nothing", setup: func(t *testing.T, c apitest.Client) ids {
			return snap(t, c, catalog(t, c), "/plans/{plan}", "/metering/units")
		}, method: "PATCH", path: "/plans/used", body: func(x ids) any { return obj{"plan_ids": []string{x["plan"], unknown}} },
			status: 400, typ: "invalid_request", fields: []string{"plan_ids[1]", unknown}, after: unchanged("/plans/{plan}", "/metering/units")},
		{name: "plans/used with a duplicate id", setup: func(t *testing.T, c apitest.Client) ids {
			return snap(t, c, catalog(t, c), "/plans/{plan}")
		}, method: "PATCH", path: "/plans/used", body: func(x ids) any { return obj{"plan_ids": []string{x["plan"], x["plan"]}} },
			status: 400, typ: "invalid_request", fields: []string{"plan_ids[1]"}, after: unchanged("/plans/{plan}")},
		{name: "plans/used with a menu id", setup: func(t *testing.T, c apitest.Client) ids {
			return snap(t, c, catalog(t, c), "/plans/{plan}")
		}, method: "PATCH", path: "/plans/used", body: func(x ids) any { return obj{"plan_ids": []string{x["menu"]}} },
			status: 400, typ: "invalid_request", fields: []string{"plan_ids[0]"}, after: unchanged("/plans/{plan}")},
		{name: "plans/used without plan_ids", setup: fullCatalog, method: "PATCH", path: "/plans/used", body: apitest.Static(obj{}),
			status: 400, typ: "invalid_request", fields: []string{"plan_ids"}},
		{name: "plans/used with an empty list does nothing", setup: func(t *testing.T, c apitest.Client) ids {
			return snap(t, c, catalog(t, c), "/plans/{plan}")
		}, method: "PATCH", path: "/plans/used", body: apitest.Static(obj{"plan_ids": []string{}}), status: 200, after: unchanged("/plans/{plan}")},
	})
}

// TestUnknownIDs: an id that names nothing is 404 not_found on every
// operation that takes one in its path.
func TestUnknownIDs(t *testing.T) {
	t.Parallel()
	const unknown = "00000000-0000-4000-8000-000000000000"
	nf := func(method, path string, body any) outcome {
		return outcome{name: method + " " + path, setup: fullCatalog, method: method, path: path, body: apitest.Static(body), status: 404, typ: "not_found", fields: []string{unknown}}
	}
	runOutcomes(t, []outcome{
		nf("GET", "/units/"+unknown, nil),
		nf("PATCH", "/units/"+unknown, fixedUnit("u")),
		nf("DELETE", "/units/"+unknown, nil),
		nf("GET", "/menus/"+unknown, nil),
		nf("PATCH", "/menus/"+unknown, menuBody("m")),
		nf("DELETE", "/menus/"+unknown, nil),
		nf("GET", "/plans/"+unknown, nil),
		nf("PATCH", "/plans/"+unknown, planBody("p")),
		nf("DELETE", "/plans/"+unknown, nil),
		nf("PATCH", "/tax-rates/"+unknown, obj{"display_name": "d", "description": ""}),
		nf("PATCH", "/metering/units/"+unknown, meterBody("m")),
		nf("DELETE", "/metering/units/"+unknown, nil),
		{name: "GET a menu by a unit id", setup: fullCatalog, method: "GET", path: "/menus/{fixed}", status: 404, typ: "not_found"},
		{name: "GET a plan by a menu id", setup: fullCatalog, method: "GET", path: "/plans/{menu}", status: 404, typ: "not_found"},
		{name: "DELETE a meter by a unit id", setup: fullCatalog, method: "DELETE", path: "/metering/units/{usage}", status: 404, typ: "not_found"},
	})
}

// TestTransport: body size limit, unknown routes and wrong methods all
// answer with SaaSus JSON errors.
func TestTransport(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		c := srv.NewSaaS(t)
		cases := []struct {
			name         string
			method, path string
			body         any
			status       int
			typ          string
			allow        string
		}{
			{"2 MiB body", "POST", P + "/units", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "payload_too_large", ""},
			{"2 MiB body on a GET", "GET", P + "/units", strings.Repeat(" ", 2<<20), 413, "payload_too_large", ""},
			{"unknown route", "GET", P + "/nope", nil, 404, "not_found", ""},
			{"unknown api", "GET", "/v1/nope/units", nil, 404, "not_found", ""},
			{"too deep", "GET", P + "/units/a/b", nil, 404, "not_found", ""},
			{"trailing slash", "GET", P + "/units/", nil, 404, "not_found", ""},
			// Unclean paths name no route either; a redirect would be a
			// non-JSON answer that the SDKs cannot decode.
			{"double slash", "GET", P + "//units", nil, 404, "not_found", ""},
			{"dot segment", "GET", P + "/./units", nil, 404, "not_found", ""},
			{"PUT on units", "PUT", P + "/units", fixedUnit("u"), 405, "method_not_allowed", "GET, POST"},
			{"DELETE on tax rates", "DELETE", P + "/tax-rates", nil, 405, "method_not_allowed", "GET, POST"},
			{"GET a tax rate", "GET", P + "/tax-rates/x", nil, 405, "method_not_allowed", "PATCH"},
			{"POST on the test endpoint", "POST", P + "/errors/internal-server-error", nil, 405, "method_not_allowed", "GET"},
			{"GET on stripe", "GET", P + "/stripe", nil, 405, "method_not_allowed", "DELETE"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				r := c.Do(t, tc.method, tc.path, tc.body)
				r.WantError(t, tc.status, tc.typ)
				if tc.allow != "" && r.Header.Get("Allow") != tc.allow {
					t.Errorf("%s: Allow %q, want %q", r, r.Header.Get("Allow"), tc.allow)
				}
			})
		}
		t.Run("unknown route outside /v1, unsigned", func(t *testing.T) {
			t.Parallel()
			r := srv.Raw(t, http.MethodGet, "/nope", nil, nil)
			r.WantError(t, http.StatusNotFound, "not_found")
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
		t.Run("1 MiB body is accepted as far as JSON goes", func(t *testing.T) {
			t.Parallel()
			// Exactly at the limit: the size is fine, the content is not.
			body := `{"name":"` + strings.Repeat("a", 1<<20-len(`{"name":""}`)) + `"}`
			c.Do(t, http.MethodPost, P+"/units", body).WantError(t, http.StatusBadRequest, "invalid_request")
		})
	})
}
