package awsmarketplaceapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestIsolation: SaaS B can neither see nor change A's settings, listing
// status or plan links, cannot link A's pricing plan, and A is unchanged
// afterwards.
func TestIsolation(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		a, bb := srv.NewSaaS(t), srv.NewSaaS(t)
		x := linked(t, a)
		withSettings(t, a)
		okEmpty(t, a, "PUT", "/listing-status", obj{"listing_status": "public"})
		aLink := get(t, a, "/cloudformation-launch-stack-link")["link"].(string)
		before := snapshot(t, a)

		t.Run("B sees none of A", func(t *testing.T) {
			wantSettings(t, bb, obj{})
			apitest.WantFields(t, "B's listing status", get(t, bb, "/listing-status"), obj{"listing_status": "no_listing"})
			apitest.WantFields(t, "B's visibility", get(t, bb, "/catalog-entity/visibility"), obj{"visibility": "Limited"})
			if ls := planLinks(t, bb); len(ls) != 0 {
				t.Errorf("B lists A's links: %v", ls)
			}
			bb.Do(t, "GET", P+"/plans/normal_plan_name_month", nil).WantError(t, 404, "not_found")
		})
		t.Run("B cannot link A's plan", func(t *testing.T) {
			bb.Do(t, "PUT", P+"/plans", obj{"plan_id": x["monthly"], "plan_name": "stolen"}).WantError(t, 400, "invalid_request", "plan_id")
			// Nor A link B's.
			own := createPlan(t, bb, "own")
			a.Do(t, "PUT", P+"/plans", obj{"plan_id": own, "plan_name": "stolen"}).WantError(t, 400, "invalid_request", "plan_id")
		})
		t.Run("B's writes stay B's", func(t *testing.T) {
			okEmpty(t, bb, "PUT", "/settings", apitest.With(fullSettings(), "product_code", "bproduct"))
			okEmpty(t, bb, "PUT", "/listing-status", obj{"listing_status": "first_step_working"})
			own := createPlan(t, bb, "b")
			okEmpty(t, bb, "PUT", "/plans", obj{"plan_id": own, "plan_name": "normal_plan_name_month"}) // the same name as A's
			apitest.WantFields(t, "B's link", get(t, bb, "/plans/normal_plan_name_month"), obj{"plan_id": own})
			bLink := get(t, bb, "/cloudformation-launch-stack-link")["link"].(string)
			if launchQuery(t, bLink).Get("param_ExternalId") == launchQuery(t, aLink).Get("param_ExternalId") {
				t.Error("A and B got the same external id")
			}
			if !strings.Contains(launchQuery(t, bLink).Get("templateURL"), bb.SaaSID) {
				t.Errorf("B's link %s does not name B's template", bLink)
			}
		})
		t.Run("A is unchanged", func(t *testing.T) {
			if after := snapshot(t, a); after != before {
				t.Errorf("A changed:\nbefore %s\n after %s", before, after)
			}
			if again := get(t, a, "/cloudformation-launch-stack-link")["link"].(string); again != aLink {
				t.Errorf("A's link changed: %s, was %s", again, aLink)
			}
		})
	})
}
