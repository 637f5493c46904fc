package pricingapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// P is the mount point of the Pricing API.
const P = "/v1/pricing"

// obj is a JSON object, as requests are written and responses decoded.
type obj = map[string]any

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

// with returns a copy of o with the given key/value pairs set; a nil value
// deletes the key.
func with(o obj, kv ...any) obj {
	out := make(obj, len(o)+len(kv)/2)
	for k, v := range o {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

// ---- creating objects ----

// create POSTs body to path, requires 201 and returns the decoded object.
func create(t testing.TB, c apitest.Client, path string, body any) obj {
	t.Helper()
	return c.Do(t, http.MethodPost, P+path, body).Want(t, http.StatusCreated).JSON(t)
}

func createID(t testing.TB, c apitest.Client, path string, body any) string {
	t.Helper()
	id, _ := create(t, c, path, body)["id"].(string)
	if id == "" {
		t.Fatalf("POST %s: no id in response", path)
	}
	return id
}

// get GETs path, requires 200 and returns the decoded object.
func get(t testing.TB, c apitest.Client, path string) obj {
	t.Helper()
	return c.Do(t, http.MethodGet, P+path, nil).Want(t, http.StatusOK).JSON(t)
}

// okEmpty sends a request that must answer 200 with an empty body.
func okEmpty(t testing.TB, c apitest.Client, method, path string, body any) {
	t.Helper()
	r := c.Do(t, method, P+path, body).Want(t, http.StatusOK)
	if len(r.Body) != 0 {
		t.Errorf("%s: want an empty body", r)
	}
}

// ids names the objects a scenario's setup created.
type ids map[string]string

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

// expand replaces {key} in s by ids[key].
func (x ids) expand(s string) string {
	for k, v := range x {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
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

// idsOf returns the "id" of each object.
func idsOf(os []obj) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i], _ = o["id"].(string)
	}
	return out
}

// find returns the object with id, or nil.
func find(os []obj, id string) obj {
	for _, o := range os {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

// wantFields fails unless o[k] == want[k] for every key of want (numbers
// compare as float64, as encoding/json decodes them).
func wantFields(t testing.TB, what string, o obj, want obj) {
	t.Helper()
	for k, w := range want {
		if g := o[k]; fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

// wantAbsent fails if o has any of keys.
func wantAbsent(t testing.TB, what string, o obj, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := o[k]; ok {
			t.Errorf("%s: has %s = %v, want it absent", what, k, v)
		}
	}
}
