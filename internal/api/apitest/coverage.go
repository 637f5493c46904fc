package apitest

import (
	"strings"
	"testing"
)

// Route is what a coverage test knows of one scenario: its name, the
// upstream operation it claims, and the request it sends.
type Route struct {
	Name   string
	Op     string // the upstream operationId the scenario says it calls
	Method string
	Path   string // the full request path; {key} placeholders are allowed
}

// Routes returns the routes of a scenario table whose paths are under
// prefix.
func Routes(prefix string, scenarios []Scenario) []Route {
	out := make([]Route, len(scenarios))
	for i, sc := range scenarios {
		out[i] = Route{Name: sc.Name, Op: sc.Op, Method: sc.Method, Path: prefix + sc.Path}
	}
	return out
}

// Covered routes every route through the upstream document, with each
// {key} placeholder standing for the segment "key", and returns the
// operations they call. A route that is no upstream operation, or another
// one than it claims, fails the test: a scenario cannot claim an operation
// it does not call.
func Covered(t testing.TB, up *Upstream, routes []Route) map[string]bool {
	t.Helper()
	unbrace := strings.NewReplacer("{", "", "}", "")
	covered := map[string]bool{}
	for _, r := range routes {
		got := up.OperationID(r.Method, unbrace.Replace(r.Path))
		if got == "" {
			t.Errorf("scenario %q: %s %s is no upstream operation", r.Name, r.Method, r.Path)
			continue
		}
		if got != r.Op {
			t.Errorf("scenario %q: %s %s is upstream %s, the scenario says %s", r.Name, r.Method, r.Path, got, r.Op)
		}
		covered[got] = true
	}
	return covered
}

// WantEveryOperation requires a route for every operation of the upstream
// document but those in exempt (see Covered for how routes are checked),
// and returns the operations covered.
func WantEveryOperation(t testing.TB, up *Upstream, routes []Route, exempt map[string]bool) map[string]bool {
	t.Helper()
	covered := Covered(t, up, routes)
	var missing []string
	for _, op := range up.OperationIDs() {
		if !covered[op] && !exempt[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("upstream operations without a scenario (%d):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	return covered
}

// WantExercised requires a route for each of ops (see Covered for how
// routes are checked), then runs the scenarios (run) as the subtest
// "scenarios" and requires the upstream document to have recorded a call
// of each of ops: the harness saw them, not just the table.
func WantExercised(t *testing.T, up *Upstream, routes []Route, ops []string, run func(t *testing.T)) {
	t.Helper()
	covered := Covered(t, up, routes)
	for _, op := range ops {
		if !covered[op] {
			t.Errorf("no scenario calls %s", op)
		}
	}
	t.Run("scenarios", run)
	exercised := up.Exercised()
	for _, op := range ops {
		if exercised[op] == 0 {
			t.Errorf("%s was never exercised", op)
		}
	}
}
