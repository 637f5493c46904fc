package pricingapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// P is the mount point of the Pricing API.
const P = "/v1/pricing"

// obj is a JSON object, as requests are written and responses decoded.
type obj = apitest.Obj

// ---- request bodies ----

func meterBody(name string) obj {
	return obj{"unit_name": name, "display_name": "Meter " + name, "description": "counts " + name, "aggregate_usage": "sum"}
}

func fixedUnit(name string) obj {
	return obj{"name": name, "display_name": "Fixed " + name, "description": "base fee", "type": "fixed",
		"currency": "JPY", "unit_amount": 1000, "recurring_interval": "month"}
}

func usageUnit(name, meter string) obj {
	return obj{"name": name, "display_name": "Usage " + name, "description": "per call", "type": "usage",
		"currency": "JPY", "unit_amount": 3, "upper_count": 1000, "metering_unit_name": meter, "aggregate_usage": "sum"}
}

func tiers() []any {
	return []any{
		obj{"up_to": 10, "unit_amount": 100, "flat_amount": 0, "inf": false},
		obj{"up_to": 20, "unit_amount": 90, "flat_amount": 500, "inf": false},
		obj{"up_to": 0, "unit_amount": 70, "flat_amount": 0, "inf": true},
	}
}

func tieredUnit(typ, name, meter string) obj {
	return obj{"name": name, "display_name": "Tiered " + name, "description": typ, "type": typ,
		"currency": "USD", "upper_count": 0, "metering_unit_name": meter, "tiers": tiers()}
}

func menuBody(name string, unitIDs ...string) obj {
	if unitIDs == nil {
		unitIDs = []string{}
	}
	return obj{"name": name, "display_name": "Menu " + name, "description": "menu " + name, "unit_ids": unitIDs}
}

func planBody(name string, menuIDs ...string) obj {
	if menuIDs == nil {
		menuIDs = []string{}
	}
	return obj{"name": name, "display_name": "Plan " + name, "description": "plan " + name, "menu_ids": menuIDs}
}

func taxRateBody(name string) obj {
	return obj{"name": name, "display_name": "消費税(外税)", "percentage": 10, "inclusive": false, "country": "JP", "description": "consumption tax"}
}

// ---- creating objects ----

// createID POSTs body to path, requires 201 and returns the new id.
func createID(t testing.TB, c apitest.Client, path string, body any) string {
	t.Helper()
	return c.CreateID(t, P+path, body)
}

// get GETs path, requires 200 and returns the decoded object.
func get(t testing.TB, c apitest.Client, path string) obj {
	t.Helper()
	return c.Do(t, http.MethodGet, P+path, nil).Want(t, http.StatusOK).JSON(t)
}

// okEmpty sends a request that must answer 200 with an empty body.
func okEmpty(t testing.TB, c apitest.Client, method, path string, body any) {
	t.Helper()
	c.OKEmpty(t, method, P+path, body)
}

// ids names the objects a scenario's setup created.
type ids = apitest.IDs

// catalog creates, in a fresh SaaS, a meter "calls", the four unit
// variants on it, a menu over the four units and a plan over the menu.
// Keys: meter, fixed, usage, tiered, tiered_usage, menu, plan.
func catalog(t testing.TB, c apitest.Client) ids {
	t.Helper()
	got := ids{"meter": createID(t, c, "/metering/units", meterBody("calls"))}
	got["fixed"] = createID(t, c, "/units", fixedUnit("base"))
	got["usage"] = createID(t, c, "/units", usageUnit("per_call", "calls"))
	got["tiered"] = createID(t, c, "/units", tieredUnit("tiered", "volume", "calls"))
	got["tiered_usage"] = createID(t, c, "/units", tieredUnit("tiered_usage", "graduated", "calls"))
	got["menu"] = createID(t, c, "/menus", menuBody("standard", got["fixed"], got["usage"], got["tiered"], got["tiered_usage"]))
	got["plan"] = createID(t, c, "/plans", planBody("standard", got["menu"]))
	return got
}

// ---- reading responses ----

// list returns the array under key of a GET response.
func list(t testing.TB, c apitest.Client, path, key string) []obj {
	t.Helper()
	raw, ok := get(t, c, path)[key].([]any)
	if !ok {
		t.Fatalf("GET %s: no array %q", path, key)
	}
	out := make([]obj, len(raw))
	for i, v := range raw {
		out[i] = v.(obj)
	}
	return out
}
