package pricingapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestIsolation: SaaS B can neither see, change, delete nor reference the
// catalog of SaaS A, and A's catalog is byte-for-byte unchanged afterwards.
func TestIsolation(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		t.Parallel()
		a, b := srv.NewSaaS(t), srv.NewSaaS(t)
		x := catalog(t, a)
		x["tax"] = createID(t, a, "/tax-rates", taxRateBody("jct"))
		aPaths := []string{"/units", "/menus", "/plans", "/metering/units", "/tax-rates",
			"/units/{fixed}", "/units/{usage}", "/units/{tiered}", "/units/{tiered_usage}", "/menus/{menu}", "/plans/{plan}"}
		snap(t, a, x, aPaths...)

		t.Run("B lists nothing of A", func(t *testing.T) {
			for path, key := range map[string]string{"/units": "units", "/menus": "pricing_menus", "/plans": "pricing_plans",
				"/metering/units": "units", "/tax-rates": "tax_rates"} {
				if got := list(t, b, path, key); len(got) != 0 {
					t.Errorf("B: GET %s shows %d objects", path, len(got))
				}
			}
		})
		t.Run("B cannot address A's objects by id", func(t *testing.T) {
			for _, tc := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/units/{fixed}", nil},
				{"GET", "/units/{usage}", nil},
				{"PATCH", "/units/{fixed}", fixedUnit("stolen")},
				{"DELETE", "/units/{fixed}", nil},
				{"GET", "/menus/{menu}", nil},
				{"PATCH", "/menus/{menu}", menuBody("stolen")},
				{"DELETE", "/menus/{menu}", nil},
				{"GET", "/plans/{plan}", nil},
				{"PATCH", "/plans/{plan}", planBody("stolen")},
				{"DELETE", "/plans/{plan}", nil},
				{"PATCH", "/metering/units/{meter}", meterBody("stolen")},
				{"DELETE", "/metering/units/{meter}", nil},
				{"PATCH", "/tax-rates/{tax}", obj{"display_name": "stolen", "description": "stolen"}},
			} {
				b.Do(t, tc.method, P+x.Expand(tc.path), tc.body).WantError(t, http.StatusNotFound, "not_found")
			}
		})
		t.Run("B cannot reference A's objects", func(t *testing.T) {
			b.Do(t, "POST", P+"/units", usageUnit("u", "calls")).WantError(t, 400, "invalid_request", "metering_unit_name")
			b.Do(t, "POST", P+"/menus", menuBody("m", x["fixed"])).WantError(t, 400, "invalid_request", "unit_ids[0]")
			b.Do(t, "POST", P+"/plans", planBody("p", x["menu"])).WantError(t, 400, "invalid_request", "menu_ids[0]")
			b.Do(t, "PATCH", P+"/plans/used", obj{"plan_ids": []string{x["plan"]}}).WantError(t, 400, "invalid_request", "plan_ids[0]")
			// Not even mixed with B's own.
			bm := createID(t, b, "/menus", menuBody("own"))
			b.Do(t, "PATCH", P+"/menus/"+bm, menuBody("own", x["fixed"])).WantError(t, 400, "invalid_request", "unit_ids[0]")
			bp := createID(t, b, "/plans", planBody("own", bm))
			b.Do(t, "PATCH", P+"/plans/used", obj{"plan_ids": []string{bp, x["plan"]}}).WantError(t, 400, "invalid_request", "plan_ids[1]")
			apitest.WantFields(t, "B's plan", get(t, b, "/plans/"+bp), obj{"used": false})
		})
		t.Run("names are per SaaS", func(t *testing.T) {
			createID(t, b, "/metering/units", meterBody("calls"))
			createID(t, b, "/tax-rates", taxRateBody("jct"))
			createID(t, b, "/units", usageUnit("per_call", "calls"))
		})
		t.Run("B's reset leaves A alone", func(t *testing.T) {
			okEmpty(t, b, "DELETE", "/plans-initialization", nil)
		})
		t.Run("A is unchanged", func(t *testing.T) {
			unchanged(aPaths...)(t, a, x)
		})
	})
}
