package meteringapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestMetersWithUsage: a meter with recorded usage keeps its unit_name and
// aggregate_usage and cannot be deleted; its display_name and description
// still change, and its counts stay.
func TestMetersWithUsage(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		e.x["calls"] = meter(t, e.c, "calls", "sum")
		e.set(t, "calls", morning, "add", 3, 3)
		path := P + "/metering/units/" + e.x["calls"]
		body := func(name, aggregate, display string) obj {
			return obj{"unit_name": name, "display_name": display, "description": "counts calls", "aggregate_usage": aggregate}
		}
		e.c.Do(t, http.MethodDelete, path, nil).WantError(t, http.StatusConflict, "")
		e.c.Do(t, http.MethodPatch, path, body("api_calls", "sum", "Meter calls")).WantError(t, http.StatusConflict, "")
		e.c.Do(t, http.MethodPatch, path, body("calls", "max", "Meter calls")).WantError(t, http.StatusConflict, "")
		r := e.c.Do(t, http.MethodPatch, path, body("calls", "sum", "API calls")).Want(t, http.StatusOK)
		if len(r.Body) != 0 {
			t.Errorf("%s: want an empty body", r)
		}
		wantCount(t, "calls", e.day(t, "calls", "2026-03-15"), 3)
	})
}

// TestResetsDeleteUsage: DELETE /plans-initialization and PUT
// /v1/auth/plans/reset delete the SaaS's usage with its meters: a meter
// created again under the same name starts from nothing. Other SaaS keep
// theirs.
func TestResetsDeleteUsage(t *testing.T) {
	t.Parallel()
	for _, reset := range []struct{ name, method, path string }{
		{"plans-initialization", http.MethodDelete, P + "/plans-initialization"},
		{"auth plans/reset", http.MethodPut, A + "/plans/reset"},
	} {
		t.Run(reset.name, func(t *testing.T) {
			t.Parallel()
			onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
				e := newEnv(t, b)
				seed(sameDay...)(t, e)
				o := &env{srv: e.srv, clk: e.clk, c: e.srv.NewSaaS(t)}
				o.tenant = newTenant(t, o.c, "acme")
				seed(sameDay...)(t, o)
				before := snapshot(t, o)

				r := e.c.Do(t, reset.method, reset.path, nil).Want(t, http.StatusOK)
				if len(r.Body) != 0 {
					t.Errorf("%s: want an empty body", r)
				}
				e.c.Do(t, http.MethodGet, units(e.tenant)+"/calls/today", nil).WantError(t, http.StatusNotFound, "not_found", "calls")
				wantJSON(t, e.get(t, "/date/2026-03-15"), obj{"counts": []obj{}})
				meter(t, e.c, "calls", "sum")
				wantCount(t, "calls again", e.day(t, "calls", "2026-03-15"), 0)
				wantBody(t, "calls again", e.everything(t, "calls"), entries("calls"))
				e.set(t, "calls", morning, "add", 1, 1)

				if after := snapshot(t, o); after != before {
					t.Errorf("the other SaaS's counts changed:\nbefore %s\n after %s", before, after)
				}
			})
		})
	}
}

// TestPeriodLimit: a date-period answer holds at most 100,000 entries; a
// range with more is a 400 asking to narrow it.
func TestPeriodLimit(t *testing.T) {
	t.Parallel()
	const maxEntries = 100_000
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		id := meter(t, e.c, "calls", "sum")
		// Entries at 1..maxEntries+1 (1970), written directly: a 100,001-request
		// setup would dwarf the test.
		_, err := e.srv.DB.WriteRaw(t.Context(), `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < `+s(maxEntries+1)+`)
			INSERT INTO metering_entries (saas_id, tenant_id, meter_id, ts, count) SELECT ?, ?, ?, n, 1 FROM s`, e.c.SaaSID, e.tenant, id)
		if err != nil {
			t.Fatalf("insert entries: %v", err)
		}
		e.c.Do(t, http.MethodGet, units(e.tenant)+"/calls/date-period?start_timestamp=0&end_timestamp="+s(maxEntries+1), nil).
			WantError(t, http.StatusBadRequest, "invalid_request", "start_timestamp", "end_timestamp")
		var body struct {
			Counts []struct{ Timestamp, Count int64 }
		}
		e.srv.Upstream = nil // validating 100,000 items costs more than the rest of the package
		e.get(t, "/calls/date-period?start_timestamp=2&end_timestamp="+s(maxEntries+1)).Decode(t, &body)
		if len(body.Counts) != maxEntries || body.Counts[0].Timestamp != 2 || body.Counts[maxEntries-1].Timestamp != maxEntries+1 {
			t.Errorf("%d entries, want %d from 2 to %d", len(body.Counts), maxEntries, maxEntries+1)
		}
	})
}
