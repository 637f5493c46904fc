package authapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// outcome is one request in a fresh SaaS and the exact answer it must get.
// Failures are errors with type typ whose message names every one of
// fields; successes just have the status. after runs last, to check what
// the request must (not) have changed.
type outcome struct {
	name   string
	setup  func(t *testing.T, e *env)
	method string
	path   string // under A, {key} filled from e.x
	body   func(ids) any
	status int
	typ    string
	fields []string
	after  func(t *testing.T, e *env, r *apitest.Response)
}

// runOutcomes runs every case, in parallel, in a fresh SaaS on every
// backend.
func runOutcomes(t *testing.T, cases []outcome) {
	t.Helper()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, b)
				if tc.setup != nil {
					tc.setup(t, e)
				}
				var body any
				if tc.body != nil {
					body = tc.body(e.x)
				}
				r := e.c.Do(t, tc.method, A+e.x.Expand(tc.path), body)
				t.Log(r)
				if tc.status >= 400 {
					r.WantError(t, tc.status, tc.typ, tc.fields...)
				} else {
					r.Want(t, tc.status).WantNoContent(t)
				}
				if tc.after != nil {
					tc.after(t, e, r)
				}
			})
		}
	})
}

// invalid is the 400 invalid_request for a body naming fields.
func invalid(name string, setup func(*testing.T, *env), method, path string, body any, fields ...string) outcome {
	return outcome{name: name, setup: setup, method: method, path: path, body: apitest.Static(body), status: 400, typ: "invalid_request", fields: fields}
}

// invalidFor is invalid with a body built from the setup's ids.
func invalidFor(name string, setup func(*testing.T, *env), method, path string, body func(ids) any, fields ...string) outcome {
	return outcome{name: name, setup: setup, method: method, path: path, body: body, status: 400, typ: "invalid_request", fields: fields}
}

// snapTenants records GET /tenants, for unchangedTenants to compare.
func snapTenants(t *testing.T, e *env) {
	t.Helper()
	e.x["snap tenants"] = string(e.c.Do(t, "GET", A+"/tenants", nil).Want(t, 200).Body)
}

// unchangedTenants requires GET /tenants to answer what snapTenants saw.
func unchangedTenants(t *testing.T, e *env, _ *apitest.Response) {
	t.Helper()
	before, ok := e.x["snap tenants"]
	if !ok {
		t.Fatalf("no snapshot of the tenants")
	}
	if after := string(e.c.Do(t, "GET", A+"/tenants", nil).Want(t, 200).Body); after != before {
		t.Errorf("GET /tenants changed:\nbefore %s\n after %s", before, after)
	}
}

// then chains setups.
func then(fns ...func(*testing.T, *env)) func(*testing.T, *env) {
	return func(t *testing.T, e *env) {
		for _, fn := range fns {
			fn(t, e)
		}
	}
}
