package meteringapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestIsolation: SaaS B can neither read nor write the counts of SaaS A's
// tenants, and B's meter of the same name is a counter of its own.
func TestIsolation(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		a := newEnv(t, b)
		seed(sameDay...)(t, a)
		before := snapshot(t, a)

		bc := a.srv.NewSaaS(t)
		be := &env{srv: a.srv, clk: a.clk, c: bc, tenant: newTenant(t, bc, "acme")}
		meter(t, bc, "calls", "max") // same name, other aggregate

		calls := []struct{ method, path string }{
			{"PUT", "/calls/timestamp/" + s(morning)},
			{"PUT", "/calls/now"},
			{"DELETE", "/calls/timestamp/" + s(morning)},
			{"GET", "/calls/date/2026-03-15"},
			{"GET", "/calls/today"},
			{"GET", "/calls/month/2026-03"},
			{"GET", "/calls/thismonth"},
			{"GET", "/calls/date-period"},
			{"GET", "/date/2026-03-15"},
			{"GET", "/month/2026-03"},
		}
		for _, c := range calls {
			bodies := []any{nil}
			if c.method == http.MethodPut {
				bodies = []any{upd("add", 1), upd("sub", 1), upd("direct", 1)}
			}
			for _, body := range bodies {
				// B on A's tenant, and A on B's.
				bc.Do(t, c.method, units(a.tenant)+c.path, body).WantError(t, http.StatusNotFound, "not_found", "tenant")
				a.c.Do(t, c.method, units(be.tenant)+c.path, body).WantError(t, http.StatusNotFound, "not_found", "tenant")
			}
		}

		// B's calls counts apart from A's.
		be.set(t, "calls", morning, "add", 2, 2)
		be.set(t, "calls", dayStart, "direct", 9, 9)
		wantCount(t, "B's calls today (max)", be.day(t, "calls", "2026-03-15"), 9)
		wantBody(t, "B's entries", be.everything(t, "calls"), entries("calls", dayStart, 9, morning, 2))
		wantBody(t, "B's meters", compact(t, be.get(t, "/date/2026-03-15").Body), obj{"counts": []obj{dc("calls", "2026-03-15", 9)}})
		be.del(t, "calls", morning)

		if after := snapshot(t, a); after != before {
			t.Errorf("A's counts changed:\nbefore %s\n after %s", before, after)
		}
		wantCount(t, "A's calls today (sum)", a.day(t, "calls", "2026-03-15"), 321)
	})
}

// TestTenantsAreSeparate: two tenants of one SaaS count apart.
func TestTenantsAreSeparate(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		meters(t, e)
		other := &env{srv: e.srv, clk: e.clk, c: e.c, tenant: newTenant(t, e.c, "other")}
		e.set(t, "calls", morning, "add", 3, 3)
		other.set(t, "calls", morning, "add", 4, 4)
		e.set(t, "calls", morning, "add", 3, 6)
		other.del(t, "calls", morning)
		wantCount(t, "acme", e.day(t, "calls", "2026-03-15"), 6)
		wantCount(t, "other", other.day(t, "calls", "2026-03-15"), 0)
	})
}
