package authapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// ticking returns a clock that starts at at and moves one second forward
// every time it is read, so that any two readings differ.
func ticking(at time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return at.Add(time.Duration(n.Add(1)) * time.Second) }
}

// TestConcurrentPlanChanges: immediate plan changes racing on one tenant
// each either succeed (200) or lose with the documented 409 conflict. Every
// 200 leaves exactly one history entry, and the history is in time order
// with the last entry being the current plan.
//
// With the real clock, times are whole seconds and a misordering shows only
// when requests straddle a second boundary; the ticking clock gives every
// reading its own second, so a request that records its time before it
// waits for the database shows up out of order.
func TestConcurrentPlanChanges(t *testing.T) {
	t.Parallel()
	const n = 10
	clocks := []struct {
		name string
		now  func() func() time.Time
	}{
		{"real clock", func() func() time.Time { return time.Now }},
		{"ticking clock", func() func() time.Time { return ticking(T0) }},
	}
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, ck := range clocks {
			t.Run(ck.name, func(t *testing.T) {
				t.Parallel()
				srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: ck.now()})
				c := srv.NewSaaS(t)
				plans := []string{pricingPlan(t, c, "basic", "month", nil), pricingPlan(t, c, "pro", "month", nil)}
				// One tax rate per request identifies its history entry.
				taxes := make([]string, n)
				for i := range taxes {
					taxes[i] = taxRate(t, c, fmt.Sprintf("tax%d", i))
				}
				id := newTenant(t, c, "acme")

				resps := make([]*apitest.Response, n)
				fns := make([]func(), n)
				for i := range fns {
					fns[i] = func() {
						resps[i] = c.Do(t, http.MethodPut, A+"/tenants/"+id+"/plans",
							obj{"next_plan_id": plans[i%2], "next_plan_tax_rate_id": taxes[i]})
					}
				}
				apitest.Race(fns...)

				var won []string // tax rates of the requests that answered 200
				for i, r := range resps {
					switch r.Status {
					case http.StatusOK:
						won = append(won, taxes[i])
					case http.StatusConflict:
						r.WantError(t, http.StatusConflict, "conflict")
					default:
						t.Errorf("request %d: %s, want 200 or 409", i, r)
					}
				}
				t.Logf("%d of %d changes answered 200", len(won), n)

				tn := getTenant(t, c, id)
				hs := histories(t, tn)
				if len(hs) != len(won) {
					t.Fatalf("history has %d entries for %d successful changes: %s", len(hs), len(won), apitest.CanonJSON(hs))
				}
				var got []string
				for i, h := range hs {
					got = append(got, h["tax_rate_id"].(string))
					if i > 0 && h["plan_applied_at"].(float64) < hs[i-1]["plan_applied_at"].(float64) {
						t.Errorf("plan_histories[%d] applied at %v, before plan_histories[%d] at %v: history not in time order\n%s",
							i, h["plan_applied_at"], i-1, hs[i-1]["plan_applied_at"], apitest.CanonJSON(hs))
					}
				}
				slices.Sort(got)
				slices.Sort(won)
				if !slices.Equal(got, won) {
					t.Errorf("history entries do not match the successful requests:\n got %v\nwant %v", got, won)
				}
				if len(hs) > 0 && tn["plan_id"] != hs[len(hs)-1]["plan_id"] {
					t.Errorf("plan_id %v is not the last history entry's %v", tn["plan_id"], hs[len(hs)-1]["plan_id"])
				}
			})
		}
	})
}

// TestConcurrentCreates: 20 tenants created at once are 20 tenants; of
// five declarations of one attribute name made at once, exactly one is
// created and the others are duplicates.
func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Run("tenants", func(t *testing.T) {
			t.Parallel()
			const n = 20
			c := newEnv(t, b).c
			resps := make([]*apitest.Response, n)
			fns := make([]func(), n)
			for i := range fns {
				fns[i] = func() { resps[i] = c.Do(t, http.MethodPost, A+"/tenants", tenantBody(fmt.Sprintf("t%d", i))) }
			}
			apitest.Race(fns...)
			made := make([]string, n)
			for i, r := range resps {
				made[i], _ = r.Want(t, http.StatusCreated).JSON(t)["id"].(string)
			}
			slices.Sort(made)
			if distinct := slices.Compact(slices.Clone(made)); len(distinct) != n {
				t.Errorf("%d distinct ids for %d creates: %v", len(distinct), n, made)
			}
			listed := apitest.IDsOf(listTenants(t, c))
			slices.Sort(listed)
			if !slices.Equal(listed, made) {
				t.Errorf("listed tenants:\n got %v\nwant %v", listed, made)
			}
		})
		t.Run("same attribute name", func(t *testing.T) {
			t.Parallel()
			const n = 5
			c := newEnv(t, b).c
			resps := make([]*apitest.Response, n)
			fns := make([]func(), n)
			for i := range fns {
				fns[i] = func() {
					resps[i] = c.Do(t, http.MethodPost, A+"/tenant-attributes", attributeBody("industry", "string"))
				}
			}
			apitest.Race(fns...)
			created := 0
			for _, r := range resps {
				if r.Status == http.StatusCreated {
					created++
					continue
				}
				r.WantError(t, http.StatusBadRequest, "duplicate_name", "attribute_name")
			}
			if created != 1 {
				t.Errorf("%d of %d concurrent declarations of one name were created, want 1", created, n)
			}
			if got := listAttributes(t, c); len(got) != 1 {
				t.Errorf("%d declarations, want 1: %v", len(got), got)
			}
		})
	})
}

// TestConcurrentReadsApplyAReservationOnce: reads that find the same
// reservation due apply it exactly once.
func TestConcurrentReadsApplyAReservationOnce(t *testing.T) {
	t.Parallel()
	const n = 10
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		e := newEnv(t, b)
		reserved(t, e)
		e.clk.Add(2 * time.Hour)
		resps := make([]*apitest.Response, n)
		fns := make([]func(), n)
		for i := range fns {
			path := A + "/tenants/" + e.x["tenant"]
			if i%2 == 1 {
				path = A + "/tenants"
			}
			fns[i] = func() { resps[i] = e.c.Do(t, http.MethodGet, path, nil) }
		}
		apitest.Race(fns...)
		for _, r := range resps {
			r.Want(t, http.StatusOK)
		}
		wantHistory(t, tenantOf(t, e),
			obj{"plan_id": e.x["basic"], "plan_applied_at": unix(T0), "tax_rate_id": e.x["jct"]},
			obj{"plan_id": e.x["pro"], "plan_applied_at": unix(T0.Add(time.Hour)), "tax_rate_id": e.x["zero"]})
	})
}

// TestDeleteRacesReference: deleting what a tenant write refers to (an
// attribute declaration, an unused plan) while the write happens ends in
// one of the documented outcomes, never a 500, and never leaves a tenant
// referring to something that is gone.
func TestDeleteRacesReference(t *testing.T) {
	t.Parallel()
	const rounds = 8
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Run("attribute declaration vs tenant value", func(t *testing.T) {
			t.Parallel()
			c := newEnv(t, b).c
			id := newTenant(t, c, "acme")
			for i := range rounds {
				declare(t, c, "x", "string")
				var del, patch *apitest.Response
				apitest.Race(func() { del = c.Do(t, http.MethodDelete, A+"/tenant-attributes/x", nil) },
					func() {
						patch = c.Do(t, http.MethodPatch, A+"/tenants/"+id, apitest.With(tenantBody("acme"), "attributes", obj{"x": fmt.Sprint(i)}))
					})
				if del.Status != http.StatusOK {
					t.Fatalf("round %d: %s", i, del)
				}
				switch patch.Status {
				case http.StatusOK: // the write won; the delete then removed the value
				case http.StatusBadRequest:
					patch.WantError(t, http.StatusBadRequest, "invalid_request", "attributes.x")
				case http.StatusConflict:
					patch.WantError(t, http.StatusConflict, "conflict")
				default:
					t.Fatalf("round %d: %s", i, patch)
				}
				if got := getTenant(t, c, id)["attributes"]; len(got.(obj)) != 0 {
					t.Fatalf("round %d: the declaration is gone but the tenant carries %v\n  %s\n  %s", i, got, del, patch)
				}
			}
		})
		t.Run("unused plan vs assignment", func(t *testing.T) {
			t.Parallel()
			c := newEnv(t, b).c
			id := newTenant(t, c, "acme")
			for i := range rounds {
				plan := pricingPlan(t, c, fmt.Sprintf("p%d", i), "month", nil)
				var del, put *apitest.Response
				apitest.Race(func() { del = c.Do(t, http.MethodDelete, P+"/plans/"+plan, nil) },
					func() { put = c.Do(t, http.MethodPut, A+"/tenants/"+id+"/plans", obj{"next_plan_id": plan}) })
				tn := getTenant(t, c, id)
				switch {
				case del.Status == http.StatusOK && put.Status == http.StatusBadRequest:
					put.WantError(t, http.StatusBadRequest, "invalid_request", "next_plan_id")
				case del.Status == http.StatusOK && put.Status == http.StatusConflict:
					put.WantError(t, http.StatusConflict, "conflict")
				case del.Status == http.StatusConflict && put.Status == http.StatusOK:
					del.WantError(t, http.StatusConflict, "used_object")
					if tn["plan_id"] != plan {
						t.Fatalf("round %d: the assignment answered 200 but plan_id is %v", i, tn["plan_id"])
					}
					continue
				default:
					t.Fatalf("round %d: deleting and assigning a plan raced to:\n  %s\n  %s", i, del, put)
				}
				if tn["plan_id"] == plan {
					t.Fatalf("round %d: the plan is deleted but the tenant is on it", i)
				}
			}
		})
	})
}
