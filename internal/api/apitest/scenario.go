package apitest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// IDs names the objects a test's setup created, for {key} placeholders in
// request paths and bodies.
type IDs map[string]string

// Expand replaces every {key} in s by x[key].
func (x IDs) Expand(s string) string {
	for k, v := range x {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// Static is a Scenario body that sends v whatever the setup created (see
// Request.Body for how v is encoded).
func Static(v any) func(IDs) any { return func(IDs) any { return v } }

// Template is a Scenario body that encodes v as JSON and fills its {key}
// placeholders (in keys and string values alike) from the setup's IDs. The
// result is sent as the JSON text it is.
func Template(v any) func(IDs) any {
	raw, _ := json.Marshal(v)
	return func(x IDs) any { return x.Expand(string(raw)) }
}

// Scenario is one call of an upstream operation in a fresh SaaS, and the
// exact status it must answer: a row of a package's scenario table, run by
// RunScenarios and matched against the upstream document by Routes.
type Scenario struct {
	Name string
	Op   string // the upstream operationId the call exercises
	// Setup prepares the fresh SaaS and names what it created; nil
	// prepares nothing.
	Setup  func(t *testing.T, c Client) IDs
	Method string
	Path   string        // under the table's prefix, {key} filled from Setup's IDs
	Body   func(IDs) any // nil sends no body; see Static and Template
	Status int           // exact
	// Check inspects the response and what the call changed; nil checks
	// nothing beyond Client.Call.
	Check func(t *testing.T, c Client, x IDs, r *Response)
}

// RunScenarios runs every scenario, in parallel, in a fresh SaaS on a
// server per backend, as subtests named backend/scenario. Paths are under
// prefix. Each call is checked by Client.Call, each response by the
// harness (trace id, content type, error shape, upstream schema of 2xx
// bodies), and then by the scenario's Check.
func RunScenarios(t *testing.T, prefix string, scenarios []Scenario) {
	t.Helper()
	ForEachBackend(t, func(t *testing.T, b Backend) {
		srv := NewServer(t, b.DB)
		for _, sc := range scenarios {
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				x := IDs{}
				if sc.Setup != nil {
					x = sc.Setup(t, c)
				}
				var body any
				if sc.Body != nil {
					body = sc.Body(x)
				}
				r := c.Call(t, sc.Op, sc.Method, prefix+x.Expand(sc.Path), body, sc.Status)
				if sc.Check != nil {
					sc.Check(t, c, x, r)
				}
			})
		}
	})
}

// Call sends one call of upstream operation op and requires its answer,
// as the scenario tables of the Pricing, Auth and AWS Marketplace APIs
// do: exactly status (or the test stops here), an empty body for a 200 to
// anything but GET unless upstream declares content for it (it declares
// most without, DeleteSaasUser with), and the routing to op (see
// Server.WantRouted).
func (c Client) Call(t testing.TB, op, method, path string, body any, status int) *Response {
	t.Helper()
	r := c.Do(t, method, path, body)
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d", r, r.Status, status)
	}
	if !c.Server.Upstream.declaresContent(method, path, status) {
		r.WantNoContent(t)
	}
	c.Server.WantRouted(t, r, op)
	return r
}

// WantNoContent fails the test if r is a 200 to anything but GET with a
// body: upstream declares those responses without content.
func (r *Response) WantNoContent(t testing.TB) {
	t.Helper()
	if r.Status == http.StatusOK && r.Method != http.MethodGet && len(r.Body) != 0 {
		t.Errorf("%s: want an empty body (upstream declares no content)", r)
	}
}

// WantRouted fails the test unless r's request routed to the upstream
// operation op; it checks nothing when the upstream checks are off.
func (s *Server) WantRouted(t testing.TB, r *Response, op string) {
	t.Helper()
	if s.Upstream != nil && r.OperationID != op {
		t.Errorf("%s: routed to upstream %q, scenario says %q", r, r.OperationID, op)
	}
}
