package awsmarketplaceapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
)

// listingStatuses are the upstream ListingStatus values and the visibility
// each implies.
var listingStatuses = []struct{ status, visibility string }{
	{"no_listing", "Limited"},
	{"first_step_working", "Limited"},
	{"first_step_completed", "Limited"},
	{"second_step_working", "Limited"},
	{"second_step_plan_created", "Limited"},
	{"second_step_completed", "Limited"},
	{"third_step_working", "Limited"},
	{"third_step_completed", "Limited"},
	{"limited", "Limited"},
	{"restricted", "Restricted"},
	{"public", "Public"},
}

// launchQuery returns the query of a quick-create link (after the #...?).
func launchQuery(t testing.TB, link string) url.Values {
	t.Helper()
	const prefix = "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?"
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("link %q does not start with %q", link, prefix)
	}
	q, err := url.ParseQuery(strings.TrimPrefix(link, prefix))
	if err != nil {
		t.Fatalf("link query: %v", err)
	}
	return q
}

var scenarios = []apitest.Scenario{
	// ---- settings ----
	{Name: "settings/get/new SaaS", Op: "GetSettings", Method: "GET", Path: "/settings", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, obj{})
		}},
	{Name: "settings/put/every field", Op: "UpdateSettings", Method: "PUT", Path: "/settings", Body: apitest.Template(fullSettings()), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
		}},
	{Name: "settings/put/partial keeps the rest", Op: "UpdateSettings", Setup: withSettings, Method: "PUT", Path: "/settings",
		Body: apitest.Template(obj{"role_arn": "arn:aws:iam::210987654321:role/other"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, apitest.With(fullSettings(), "role_arn", "arn:aws:iam::210987654321:role/other"))
		}},
	{Name: "settings/put/empty string clears", Op: "UpdateSettings", Setup: withSettings, Method: "PUT", Path: "/settings",
		Body: apitest.Template(obj{"sqs_arn": "", "cas_bucket_name": ""}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, apitest.With(fullSettings(), "sqs_arn", nil, "cas_bucket_name", nil))
		}},
	{Name: "settings/put/empty object changes nothing", Op: "UpdateSettings", Setup: withSettings, Method: "PUT", Path: "/settings",
		Body: apitest.Template(obj{}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
		}},
	{Name: "settings/put/upstream examples", Op: "UpdateSettings", Method: "PUT", Path: "/settings",
		Body: apitest.Template(obj{"product_code": "1234567890", "role_external_id": "1234567890", "role_arn": "arn:aws:iam::123456789012:role/role-name",
			"sqs_arn": "arn:aws:sqs:us-east-1:123456789012:queue_name"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, obj{"product_code": "1234567890", "role_external_id": "1234567890",
				"role_arn": "arn:aws:iam::123456789012:role/role-name", "sqs_arn": "arn:aws:sqs:us-east-1:123456789012:queue_name"})
		}},
	{Name: "settings/put/what GET returned, fulfillment URL included", Op: "UpdateSettings", Setup: withSettings, Method: "PUT", Path: "/settings",
		Body: apitest.Template(apitest.With(fullSettings(), "redirect_sign_up_page_function_url", "https://evil.example/steal", "product_code", "changed")), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, apitest.With(fullSettings(), "product_code", "changed"))
		}},

	// ---- listing status and visibility ----
	{Name: "listing-status/get/default", Op: "GetListingStatus", Method: "GET", Path: "/listing-status", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "listing status", r.JSON(t), obj{"listing_status": "no_listing"})
		}},
	{Name: "listing-status/put/every value and back", Op: "UpdateListingStatus", Method: "PUT", Path: "/listing-status",
		Body: apitest.Template(obj{"listing_status": "public"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": "public"})
			for _, s := range listingStatuses { // any order is allowed, backwards too
				okEmpty(t, c, "PUT", "/listing-status", obj{"listing_status": s.status})
				apitest.WantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": s.status})
			}
		}},
	{Name: "listing-status/put/keeps settings", Op: "UpdateListingStatus", Setup: withSettings, Method: "PUT", Path: "/listing-status",
		Body: apitest.Template(obj{"listing_status": "second_step_plan_created"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
			okEmpty(t, c, "PUT", "/settings", obj{"product_code": "other"})
			apitest.WantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": "second_step_plan_created"})
		}},
	{Name: "catalog-entity/visibility/default", Op: "GetCatalogEntityVisibility", Method: "GET", Path: "/catalog-entity/visibility", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "visibility", r.JSON(t), obj{"visibility": "Limited"})
		}},
	{Name: "catalog-entity/visibility/follows the listing status", Op: "GetCatalogEntityVisibility", Method: "GET",
		Path: "/catalog-entity/visibility", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			for _, s := range listingStatuses {
				okEmpty(t, c, "PUT", "/listing-status", obj{"listing_status": s.status})
				apitest.WantFields(t, "visibility after "+s.status, get(t, c, "/catalog-entity/visibility"), obj{"visibility": s.visibility})
			}
		}},

	// ---- plans ----
	{Name: "plans/get/none", Op: "GetPlans", Method: "GET", Path: "/plans", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if string(r.Body) != `{"plans":[]}` {
				t.Errorf("GET /plans of a new SaaS: %s, want {\"plans\":[]}", r.Body)
			}
		}},
	{Name: "plans/get/ordered by name", Op: "GetPlans", Setup: linked, Method: "GET", Path: "/plans", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["monthly"], "plan_name": "A_first"})
			got, _ := json.Marshal(planLinks(t, c))
			want, _ := json.Marshal([]obj{
				{"plan_id": x["monthly"], "plan_name": "A_first"},
				{"plan_id": x["monthly"], "plan_name": "normal_plan_name_month"},
				{"plan_id": x["yearly"], "plan_name": "normal_plan_name_year"},
			})
			if string(got) != string(want) {
				t.Errorf("GET /plans:\n got %s\nwant %s", got, want)
			}
		}},
	{Name: "plans/put/link", Op: "SavePlan", Setup: twoPlans, Method: "PUT", Path: "/plans",
		Body: apitest.Template(obj{"plan_id": "{monthly}", "plan_name": "normal_plan_name_month"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "link", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["monthly"], "plan_name": "normal_plan_name_month"})
			if ls := planLinks(t, c); len(ls) != 1 {
				t.Errorf("GET /plans: %v, want one link", ls)
			}
		}},
	{Name: "plans/put/same name replaces", Op: "SavePlan", Setup: linked, Method: "PUT", Path: "/plans",
		Body: apitest.Template(obj{"plan_id": "{yearly}", "plan_name": "normal_plan_name_month"}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "link", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["yearly"]})
			if ls := planLinks(t, c); len(ls) != 2 {
				t.Errorf("GET /plans: %v, want two links", ls)
			}
		}},
	{Name: "plans/put/longest name with digits", Op: "SavePlan", Setup: twoPlans, Method: "PUT", Path: "/plans",
		Body: apitest.Template(obj{"plan_id": "{monthly}", "plan_name": "Plan_12_Month_" + strings.Repeat("x", 22)}), Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "link", get(t, c, "/plans/Plan_12_Month_"+strings.Repeat("x", 22)), obj{"plan_id": x["monthly"]})
		}},
	{Name: "plans/get by name", Op: "GetPlanByPlanName", Setup: linked, Method: "GET", Path: "/plans/normal_plan_name_year", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			got := r.JSON(t)
			if len(got) != 2 {
				t.Errorf("GET /plans/{plan_name}: %v, want exactly plan_id and plan_name", got)
			}
			apitest.WantFields(t, "link", got, obj{"plan_id": x["yearly"], "plan_name": "normal_plan_name_year"})
			plan, err := c.Server.AWSMarketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_year")
			if err != nil || plan != x["yearly"] {
				t.Errorf("PlanFor = %q, %v; want %q", plan, err, x["yearly"])
			}
		}},
	{Name: "plans/get by name/unknown", Op: "GetPlanByPlanName", Setup: linked, Method: "GET", Path: "/plans/normal_plan_name_week", Status: 404,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 404, "not_found", "normal_plan_name_week")
			if _, err := c.Server.AWSMarketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_week"); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("PlanFor of an unlinked name: %v, want not found", err)
			}
		}},
	{Name: "plans/get by name/case-sensitive", Op: "GetPlanByPlanName", Setup: linked, Method: "GET", Path: "/plans/NORMAL_PLAN_NAME_YEAR", Status: 404},
	{Name: "plans/get by name/not a plan name", Op: "GetPlanByPlanName", Method: "GET", Path: "/plans/" + strings.Repeat("x", 37), Status: 404},
	{Name: "plans/get by name/pricing plan deleted", Op: "GetPlanByPlanName", Setup: linked, Method: "GET", Path: "/plans/normal_plan_name_month", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			c.Do(t, "DELETE", "/v1/pricing/plans/"+x["monthly"], nil).Want(t, 200)
			c.Do(t, "GET", P+"/plans/normal_plan_name_month", nil).WantError(t, 404, "not_found")
			ls := planLinks(t, c)
			if len(ls) != 1 || ls[0]["plan_name"] != "normal_plan_name_year" {
				t.Errorf("GET /plans after the plan's deletion: %v, want only normal_plan_name_year", ls)
			}
			if _, err := c.Server.AWSMarketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_month"); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("PlanFor of a deleted plan: %v, want not found", err)
			}
			// Linking the name again to a live plan brings it back.
			okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["yearly"], "plan_name": "normal_plan_name_month"})
			apitest.WantFields(t, "relinked", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["yearly"]})
		}},

	// ---- CloudFormation ----
	{Name: "cloudformation-launch-stack-link", Op: "GetCloudFormationLaunchStackLink", Method: "GET", Path: "/cloudformation-launch-stack-link", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			body := r.JSON(t)
			if len(body) != 1 {
				t.Errorf("body %v, want only link", body)
			}
			link, _ := body["link"].(string)
			q := launchQuery(t, link)
			wantTemplate := c.Server.URL + "/awsmarketplace/cloudformation/" + c.SaaSID + "/template.yaml"
			if q.Get("stackName") != "AWS-Marketplace-seller-Resource" || q.Get("templateURL") != wantTemplate {
				t.Errorf("link %s: stackName %q, templateURL %q (want %q)", link, q.Get("stackName"), q.Get("templateURL"), wantTemplate)
			}
			ext := q.Get("param_ExternalId")
			if len(ext) < 32 {
				t.Errorf("param_ExternalId %q: want a random id", ext)
			}
			if q.Has("param_ProductCode") {
				t.Errorf("link %s fills in a product code that is not set", link)
			}
			// Stable across calls, and the template it names is served.
			again := get(t, c, "/cloudformation-launch-stack-link")["link"].(string)
			if again != link {
				t.Errorf("second link %s differs from the first %s", again, link)
			}
			tpl := c.Server.Raw(t, "GET", strings.TrimPrefix(wantTemplate, c.Server.URL), nil, nil).Want(t, 200)
			if !strings.Contains(string(tpl.Body), "AWSTemplateFormatVersion") {
				t.Errorf("template: %s", tpl.Body)
			}
			// The settings are untouched: role_external_id is what the user sets.
			wantSettings(t, c, obj{})
		}},
	{Name: "cloudformation-launch-stack-link/with product code", Op: "GetCloudFormationLaunchStackLink", Setup: withSettings,
		Method: "GET", Path: "/cloudformation-launch-stack-link", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			q := launchQuery(t, r.JSON(t)["link"].(string))
			if got := q.Get("param_ProductCode"); got != fullSettings()["product_code"] {
				t.Errorf("param_ProductCode = %q", got)
			}
			ext, err := c.Server.AWSMarketplace.ExternalID(t.Context(), c.SaaSID)
			if err != nil || q.Get("param_ExternalId") != ext {
				t.Errorf("param_ExternalId %q, ExternalID() = %q, %v", q.Get("param_ExternalId"), ext, err)
			}
		}},

	// ---- the test endpoint ----
	{Name: "errors/internal-server-error", Op: "ReturnInternalServerError", Method: "GET", Path: "/errors/internal-server-error", Status: 500,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 500, "internal_server_error")
		}},
	// ---- registration tokens and customers ----
	{Name: "registration-token/verify/fresh token", Op: "VerifyRegistrationToken", Setup: bought, Method: "POST",
		Path: "/registration-token/verify", Body: apitest.Template(obj{"registration_token": "{token}"}), Status: 200},
	{Name: "registration-token/verify/unknown token", Op: "VerifyRegistrationToken", Setup: bought, Method: "POST",
		Path: "/registration-token/verify", Body: apitest.Template(obj{"registration_token": "nope"}), Status: 400,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_registration_token")
		}},
	{Name: "registration-token/verify/used token", Op: "VerifyRegistrationToken", Setup: linkedCustomer, Method: "POST",
		Path: "/registration-token/verify", Body: apitest.Template(obj{"registration_token": "{token}"}), Status: 400},
	{Name: "customers/create/links the buyer and applies the plan", Op: "CreateCustomer", Setup: bought, Method: "POST",
		Path: "/customers", Body: apitest.Template(obj{"tenant_id": "{tenant}", "registration_token": "{token}"}), Status: 201,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "customer", r.JSON(t), obj{"customer_identifier": x["customer"], "customer_aws_account_id": x["account"],
				"tenant_id": x["tenant"], "product_code": x["product"], "status": "subscribed", "dimension": "basic_month"})
			if got := tenantPlan(t, c, x["tenant"]); got != x["plan"] {
				t.Errorf("tenant plan = %q, want %q (linked to basic_month)", got, x["plan"])
			}
		}},
	{Name: "customers/create/token used twice", Op: "CreateCustomer", Setup: linkedCustomer, Method: "POST",
		Path: "/customers", Body: apitest.Template(obj{"tenant_id": "{tenant}", "registration_token": "{token}"}), Status: 400,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_registration_token")
		}},
	{Name: "customers/create/unknown tenant", Op: "CreateCustomer", Setup: bought, Method: "POST",
		Path: "/customers", Body: apitest.Template(obj{"tenant_id": "no-such-tenant", "registration_token": "{token}"}), Status: 400,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_request", "tenant_id")
			c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": x["token"]}).Want(t, 200) // not used up
		}},
	{Name: "customers/list/all", Op: "GetCustomers", Setup: linkedCustomer, Method: "GET", Path: "/customers", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			cs, _ := r.JSON(t)["customers"].([]any)
			if len(cs) != 1 || cs[0].(obj)["customer_identifier"] != x["customer"] {
				t.Errorf("customers = %v, want the one linked", cs)
			}
		}},
	{Name: "customers/list/by tenant ids", Op: "GetCustomers", Setup: linkedCustomer, Method: "GET",
		Path: "/customers?tenant_ids={tenant}&tenant_ids=other", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if cs, _ := r.JSON(t)["customers"].([]any); len(cs) != 1 {
				t.Errorf("customers of the tenant = %v, want 1", cs)
			}
			none := c.Do(t, "GET", P+"/customers?tenant_ids=other", nil).Want(t, 200).JSON(t)["customers"].([]any)
			if len(none) != 0 {
				t.Errorf("customers of another tenant = %v, want none", none)
			}
		}},
	{Name: "customers/get/one", Op: "GetCustomer", Setup: linkedCustomer, Method: "GET", Path: "/customers/{customer}", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			apitest.WantFields(t, "customer", r.JSON(t), obj{"customer_identifier": x["customer"], "tenant_id": x["tenant"]})
		}},
	{Name: "customers/get/unknown", Op: "GetCustomer", Method: "GET", Path: "/customers/X0NOSUCHONE", Status: 404},
	{Name: "customers/sync/plan follows a contract change", Op: "SyncCustomer", Setup: func(t *testing.T, c apitest.Client) ids {
		x := linkedCustomer(t, c)
		okEmpty2(t, c, "PATCH", emu+"/purchases/"+x["customer"], obj{"dimension": "pro_month"})
		return x
	}, Method: "POST", Path: "/customers/{customer}/sync", Status: 200,
		Check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := tenantPlan(t, c, x["tenant"]); got != x["pro_plan"] {
				t.Errorf("tenant plan after sync = %q, want the pro plan %q", got, x["pro_plan"])
			}
		}},
	{Name: "customers/sync/unknown", Op: "SyncCustomer", Method: "POST", Path: "/customers/X0NOSUCHONE/sync", Status: 404},
}

// TestScenarios runs every scenario in a fresh SaaS on every backend. Each
// response is checked by the harness (trace id, content type, error shape,
// upstream schema of 2xx bodies).
func TestScenarios(t *testing.T) {
	t.Parallel()
	apitest.RunScenarios(t, P, scenarios)
}
