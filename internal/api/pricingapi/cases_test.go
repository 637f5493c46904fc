package pricingapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// outcome is one request in a fresh SaaS and the exact answer it must get.
// Failures are errors with type typ whose message names every one of
// fields; successes just have the status. after runs last, to check what
// the request must (not) have changed.
type outcome struct {
	name   string
	setup  func(t *testing.T, c apitest.Client) ids
	method string
	path   string // under P, {key} filled from setup's ids
	body   func(ids) any
	status int
	typ    string
	fields []string
	after  func(t *testing.T, c apitest.Client, x ids)
}

// runOutcomes runs every case, in parallel, in a fresh SaaS on every
// backend.
func runOutcomes(t *testing.T, cases []outcome) {
	t.Helper()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				x := ids{}
				if tc.setup != nil {
					x = tc.setup(t, c)
				}
				var body any
				if tc.body != nil {
					body = tc.body(x)
				}
				r := c.Do(t, tc.method, P+x.Expand(tc.path), body)
				t.Log(r)
				if tc.status >= 400 {
					r.WantError(t, tc.status, tc.typ, tc.fields...)
				} else {
					r.Want(t, tc.status).WantNoContent(t)
				}
				if tc.after != nil {
					tc.after(t, c, x)
				}
			})
		}
	})
}

// onEveryBackend runs fn against a fresh server on every backend.
func onEveryBackend(t *testing.T, fn func(t *testing.T, srv *apitest.Server)) {
	t.Helper()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		fn(t, apitest.NewServer(t, b.DB))
	})
}

// invalid is the 400 for a validation error naming fields.
func invalid(name, method, path string, body any, fields ...string) outcome {
	return outcome{name: name, method: method, path: path, body: apitest.Static(body), status: 400, typ: "invalid_request", fields: fields}
}

// withMeter is invalid with the meter "calls" created first.
func withMeter(o outcome) outcome {
	o.setup = meterOnly
	return o
}

// usedCatalog is catalog with its plan marked used.
func usedCatalog(t *testing.T, c apitest.Client) ids {
	x := catalog(t, c)
	okEmpty(t, c, http.MethodPatch, "/plans/used", obj{"plan_ids": []string{x["plan"]}})
	return x
}

// snap records the GET bodies of paths (with {key} placeholders) in x, for
// unchanged to compare with later.
func snap(t *testing.T, c apitest.Client, x ids, paths ...string) ids {
	t.Helper()
	for _, p := range paths {
		x["snap "+p] = string(c.Do(t, http.MethodGet, P+x.Expand(p), nil).Want(t, http.StatusOK).Body)
	}
	return x
}

// unchanged returns an after func requiring every path to answer the same
// body as when snap recorded it.
func unchanged(paths ...string) func(t *testing.T, c apitest.Client, x ids) {
	return func(t *testing.T, c apitest.Client, x ids) {
		t.Helper()
		for _, p := range paths {
			before, ok := x["snap "+p]
			if !ok {
				t.Fatalf("no snapshot of %s", p)
			}
			if after := string(c.Do(t, http.MethodGet, P+x.Expand(p), nil).Want(t, http.StatusOK).Body); after != before {
				t.Errorf("GET %s changed:\nbefore %s\n after %s", p, before, after)
			}
		}
	}
}
