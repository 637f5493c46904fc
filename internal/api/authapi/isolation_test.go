package authapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestIsolation: SaaS B can neither list, read, change, delete, re-plan nor
// bill SaaS A's tenants, nor see or use A's attribute declarations; A's
// tenants are byte-for-byte unchanged afterwards.
func TestIsolation(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, be apitest.Backend) {
		t.Parallel()
		e := newEnv(t, be)
		a := e.c
		reserved(t, e)
		declare(t, a, "industry", "string")
		a.OKEmpty(t, "PATCH", A+"/tenants/"+e.x["tenant"], apitest.With(tenantBody("acme"), "attributes", obj{"industry": "SaaS"}))
		a.OKEmpty(t, "PUT", A+"/tenants/"+e.x["tenant"]+"/billing-info", billingBody())
		snapTenants(t, e)
		aAttrs := string(a.Do(t, "GET", A+"/tenant-attributes", nil).Want(t, 200).Body)

		b := e.other(t)
		bPlan := pricingPlan(t, b, "theirs", "month", nil)
		bTax := taxRate(t, b, "theirs")
		id := e.x["tenant"]

		t.Run("B lists nothing of A", func(t *testing.T) {
			if got := listTenants(t, b); len(got) != 0 {
				t.Errorf("B sees %d tenants", len(got))
			}
			if got := listAttributes(t, b); len(got) != 0 {
				t.Errorf("B sees %d attribute declarations", len(got))
			}
		})
		t.Run("B cannot address A's tenant", func(t *testing.T) {
			for _, tc := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/tenants/" + id, nil},
				{"PATCH", "/tenants/" + id, tenantBody("stolen")},
				{"PUT", "/tenants/" + id + "/plans", obj{"next_plan_id": bPlan, "next_plan_tax_rate_id": bTax}},
				{"PUT", "/tenants/" + id + "/plans", obj{"next_plan_id": bPlan, "using_next_plan_from": unix(T0.AddDate(0, 0, 1))}},
				{"PUT", "/tenants/" + id + "/plans", obj{}}, // would cancel A's reservation
				{"PUT", "/tenants/" + id + "/billing-info", billingBody()},
				{"DELETE", "/tenants/" + id, nil},
				{"DELETE", "/tenant-attributes/industry", nil},
			} {
				b.Do(t, tc.method, A+tc.path, tc.body).WantError(t, http.StatusNotFound, "not_found")
			}
			wantPlanUsed(t, b, bPlan, false)
		})
		t.Run("attributes are per SaaS", func(t *testing.T) {
			b.Do(t, "POST", A+"/tenants", apitest.With(tenantBody("b"), "attributes", obj{"industry": "SaaS"})).
				WantError(t, 400, "invalid_request", "attributes.industry")
			// The same name may be declared by B, with its own type.
			declare(t, b, "industry", "number")
			tn := createTenant(t, b, apitest.With(tenantBody("b"), "attributes", obj{"industry": 3}))
			wantFields(t, "B's tenant", tn, obj{"attributes": obj{"industry": 3}})
			a.Do(t, "POST", A+"/tenants", apitest.With(tenantBody("a2"), "attributes", obj{"industry": 3})).
				WantError(t, 400, "invalid_request", "attributes.industry")
			b.OKEmpty(t, "DELETE", A+"/tenant-attributes/industry", nil)
		})
		t.Run("B's reset leaves A alone", func(t *testing.T) {
			b.OKEmpty(t, "PUT", A+"/plans/reset", nil)
			wantPlanUsed(t, a, e.x["basic"], true)
		})
		t.Run("A is unchanged", func(t *testing.T) {
			unchangedTenants(t, e, nil)
			if got := string(a.Do(t, "GET", A+"/tenant-attributes", nil).Want(t, 200).Body); got != aAttrs {
				t.Errorf("A's declarations changed:\nbefore %s\n after %s", aAttrs, got)
			}
			tn := tenantOf(t, e)
			wantFields(t, "A's tenant", tn, obj{"plan_id": e.x["basic"], "next_plan_id": e.x["pro"], "attributes": obj{"industry": "SaaS"}})
		})
	})
}
