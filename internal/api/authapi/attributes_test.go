package authapi_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// declared declares the attributes s (string), n (number), b (bool) and d
// (date) and creates the tenant "acme" without values.
func declared(t *testing.T, e *env) {
	declare(t, e.c, "s", "string")
	declare(t, e.c, "n", "number")
	declare(t, e.c, "b", "bool")
	declare(t, e.c, "d", "date")
	withTenant(t, e)
}

// attrs is tenantBody with the given attributes value (rawJSON to send
// it verbatim).
func attrs(v any) obj { return apitest.With(tenantBody("acme"), "attributes", v) }

// noAttributes is tenantBody without the attributes key.
func noAttributes() obj { return apitest.With(tenantBody("acme"), "attributes", nil) }

// wantAttributes returns an after func requiring the tenant the request
// created or changed to carry exactly want.
func wantAttributes(want obj) func(t *testing.T, e *env, r *apitest.Response) {
	return func(t *testing.T, e *env, r *apitest.Response) {
		t.Helper()
		id := e.x["tenant"]
		if r.Status == 201 {
			got := r.JSON(t)
			wantFields(t, "created tenant", got, obj{"attributes": want})
			id, _ = got["id"].(string)
		}
		wantFields(t, "tenant read back", getTenant(t, e.c, id), obj{"attributes": want})
	}
}

// TestAttributeForms: "no attribute values" may be written {}, null, [] or
// left out, on create and on replace; anything else that is not an object
// is refused, naming attributes.
func TestAttributeForms(t *testing.T) {
	t.Parallel()
	var cases []outcome
	for _, m := range []struct{ method, path string }{{"POST", "/tenants"}, {"PATCH", "/tenants/{tenant}"}} {
		status := 201
		if m.method == "PATCH" {
			status = 200
		}
		for _, f := range []struct {
			name string
			body obj
		}{
			{"{}", attrs(obj{})},
			{"null", attrs(rawJSON("null"))},
			{"[]", attrs(rawJSON("[ ]"))},
			{"absent", noAttributes()},
		} {
			cases = append(cases, outcome{name: m.method + " " + f.name, setup: declared, method: m.method, path: m.path,
				body: apitest.Static(f.body), status: status, after: wantAttributes(obj{})})
		}
		for _, f := range []struct {
			name string
			v    any
		}{
			{"non-empty array", rawJSON(`[1]`)},
			{"array of an object", rawJSON(`[{"s":"x"}]`)},
			{"string", "x"},
			{"empty string", ""},
			{"number", 5},
			{"bool", true},
		} {
			cases = append(cases, invalid(m.method+" "+f.name, declared, m.method, m.path, attrs(f.v), "attributes"))
		}
	}
	// Replacing with "none" clears earlier values.
	cases = append(cases, outcome{name: "PATCH null clears", setup: func(t *testing.T, e *env) {
		declared(t, e)
		e.c.OKEmpty(t, "PATCH", A+"/tenants/"+e.x["tenant"], attrs(obj{"s": "x", "b": false}))
	}, method: "PATCH", path: "/tenants/{tenant}", body: apitest.Static(attrs(rawJSON("null"))), status: 200, after: wantAttributes(obj{})})
	runOutcomes(t, cases)
}

// TestAttributeValues: every value is checked against the declared type,
// on create and on replace; numbers keep their exact decimal text.
func TestAttributeValues(t *testing.T) {
	t.Parallel()
	const big = "12345678901234567890.5"
	var cases []outcome
	for _, m := range []struct{ method, path string }{{"POST", "/tenants"}, {"PATCH", "/tenants/{tenant}"}} {
		ok := func(name string, v obj, want obj) outcome {
			status := 201
			if m.method == "PATCH" {
				status = 200
			}
			return outcome{name: m.method + " " + name, setup: declared, method: m.method, path: m.path,
				body: apitest.Static(attrs(v)), status: status, after: wantAttributes(want)}
		}
		bad := func(name string, v obj, fields ...string) outcome {
			o := invalid(m.method+" "+name, declared, m.method, m.path, attrs(v), fields...)
			o.after = wantAttributes(obj{}) // nothing written
			if m.method == "POST" {
				o.after = func(t *testing.T, e *env, _ *apitest.Response) {
					if n := len(listTenants(t, e.c)); n != 1 {
						t.Errorf("%d tenants after a refused create, want 1", n)
					}
				}
			}
			return o
		}
		all := obj{"s": "東京都", "n": 100, "b": true, "d": "2026-02-28"}
		cases = append(cases,
			ok("every type", all, all),
			ok("zero values", obj{"s": "", "n": 0, "b": false, "d": "2024-02-29"}, obj{"s": "", "n": 0, "b": false, "d": "2024-02-29"}),
			ok("negative and fractional number", obj{"n": -1.25}, obj{"n": -1.25}),
			ok("null value leaves the attribute unset", obj{"s": nil, "n": 1}, obj{"n": 1}),
			ok("all null", obj{"s": nil, "n": nil, "b": nil, "d": nil}, obj{}),
			ok("string of 4096 bytes", obj{"s": strings.Repeat("x", 4096)}, obj{"s": strings.Repeat("x", 4096)}),

			bad("undeclared key", obj{"nope": "x"}, "attributes.nope"),
			bad("undeclared key beside valid ones", obj{"s": "x", "other_key": 1}, "attributes.other_key"),
			bad("undeclared key with a null value", obj{"ghost": nil}, "attributes.ghost"),
			bad("string given a number", obj{"s": 5}, "attributes.s"),
			bad("string given an object", obj{"s": obj{}}, "attributes.s"),
			bad("string of 4097 bytes", obj{"s": strings.Repeat("x", 4097)}, "attributes.s"),
			bad("number given a string", obj{"n": "5"}, "attributes.n"),
			bad("number given a bool", obj{"n": true}, "attributes.n"),
			bad("bool given a string", obj{"b": "true"}, "attributes.b"),
			bad("bool given a number", obj{"b": 1}, "attributes.b"),
			bad("date 2026-02-30", obj{"d": "2026-02-30"}, "attributes.d"),
			bad("date 2025-02-29", obj{"d": "2025-02-29"}, "attributes.d"),
			bad("date 2026-13-01", obj{"d": "2026-13-01"}, "attributes.d"),
			bad("date without zero padding", obj{"d": "2026-2-3"}, "attributes.d"),
			bad("date with a time", obj{"d": "2026-02-28T00:00:00Z"}, "attributes.d"),
			bad("date as digits", obj{"d": "20260228"}, "attributes.d"),
			bad("date as a number", obj{"d": 20260228}, "attributes.d"),
			bad("date empty", obj{"d": ""}, "attributes.d"),
			// A JSON number no float64 can hold: the SaaSus SDKs decode
			// attribute values into float64 (Go: map[string]interface{}),
			// so storing it would make every later GET /tenants
			// undecodable for them. The 64-character limit on numbers
			// shows the intent to bound them; these slip through it.
			bad("number beyond float64 range", obj{"n": rawJSON("1e400")}, "attributes.n"),
			bad("negative number beyond float64 range", obj{"n": rawJSON("-1e400")}, "attributes.n"),
			bad("every value wrong at once", obj{"s": 1, "n": "x", "b": "y", "d": "z"}, "attributes.s", "attributes.n", "attributes.b", "attributes.d"),
		)
		// The exact number, checked in the raw bytes (a float64 would
		// round it to 12345678901234567000).
		cases = append(cases, outcome{name: m.method + " number round-trips exactly", setup: declared, method: m.method, path: m.path,
			body: apitest.Static(attrs(obj{"n": rawJSON(big)})), status: map[string]int{"POST": 201, "PATCH": 200}[m.method],
			after: func(t *testing.T, e *env, r *apitest.Response) {
				id := e.x["tenant"]
				if r.Status == 201 {
					if !bytes.Contains(r.Body, []byte(`"n":`+big)) {
						t.Errorf("created tenant does not carry n = %s exactly: %s", big, r.Body)
					}
					id, _ = r.JSON(t)["id"].(string)
				}
				for _, path := range []string{A + "/tenants/" + id, A + "/tenants"} {
					body := e.c.Do(t, "GET", path, nil).Want(t, 200).Body
					if !bytes.Contains(body, []byte(`"n":`+big)) {
						t.Errorf("GET %s does not carry n = %s exactly: %s", path, big, body)
					}
				}
			}})
	}
	runOutcomes(t, cases)
}

// TestAttributeDeclarations: names are unique per SaaS and safe in URL
// paths, types are one of four.
func TestAttributeDeclarations(t *testing.T) {
	t.Parallel()
	post := func(name string, body obj, fields ...string) outcome {
		o := invalid(name, nil, "POST", "/tenant-attributes", body, fields...)
		o.after = func(t *testing.T, e *env, _ *apitest.Response) {
			if got := listAttributes(t, e.c); len(got) != 0 {
				t.Errorf("declarations after a refused create: %v", got)
			}
		}
		return o
	}
	created := func(name string, body obj) outcome {
		return outcome{name: name, method: "POST", path: "/tenant-attributes", body: apitest.Static(body), status: 201,
			after: func(t *testing.T, e *env, r *apitest.Response) {
				apitest.WantJSONEqual(t, "created", r.JSON(t), body)
				apitest.WantJSONEqual(t, "listed", listAttributes(t, e.c), []any{body})
			}}
	}
	cases := []outcome{
		created("64-character name", attributeBody(strings.Repeat("a", 64), "string")),
		created("name with _ and -", attributeBody("_Seat-count_2", "number")),
		created("empty display name", apitest.With(attributeBody("x", "bool"), "display_name", "")),

		{name: "duplicate name", setup: func(t *testing.T, e *env) { declare(t, e.c, "industry", "string") },
			method: "POST", path: "/tenant-attributes", body: apitest.Static(attributeBody("industry", "number")),
			status: 400, typ: "duplicate_name", fields: []string{"attribute_name", "industry"},
			after: func(t *testing.T, e *env, _ *apitest.Response) {
				apitest.WantJSONEqual(t, "declarations", listAttributes(t, e.c), []any{attributeBody("industry", "string")})
			}},
		post("name with a space", attributeBody("a b", "string"), "attribute_name"),
		post("name starting with a digit", attributeBody("1x", "string"), "attribute_name"),
		post("65-character name", attributeBody(strings.Repeat("a", 65), "string"), "attribute_name"),
		post("empty name", attributeBody("", "string"), "attribute_name"),
		post("name with a slash", attributeBody("a/b", "string"), "attribute_name"),
		post("name with a dot", attributeBody("a.b", "string"), "attribute_name"),
		post("name with a percent", attributeBody("a%20b", "string"), "attribute_name"),
		post("non-ASCII name", attributeBody("名前", "string"), "attribute_name"),
		post("type integer", attributeBody("x", "integer"), "attribute_type"),
		post("type String", attributeBody("x", "String"), "attribute_type"),
		post("type empty", attributeBody("x", ""), "attribute_type"),
		post("display name too long", apitest.With(attributeBody("x", "string"), "display_name", strings.Repeat("d", 256)), "display_name"),
		post("name missing", apitest.With(attributeBody("x", "string"), "attribute_name", nil), "attribute_name"),
		post("display_name missing", apitest.With(attributeBody("x", "string"), "display_name", nil), "display_name"),
		post("attribute_type missing", apitest.With(attributeBody("x", "string"), "attribute_type", nil), "attribute_type"),
		post("name is a number", apitest.With(attributeBody("x", "string"), "attribute_name", 5), "attribute_name"),
		post("type is a number", apitest.With(attributeBody("x", "string"), "attribute_type", 1), "attribute_type"),
	}
	runOutcomes(t, cases)
}
