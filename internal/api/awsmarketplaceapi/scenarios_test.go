package awsmarketplaceapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
)

// scenario is one call of an upstream operation in a fresh SaaS.
type scenario struct {
	name   string
	op     string // the upstream operationId the call exercises
	setup  func(t *testing.T, c apitest.Client) ids
	method string
	path   string // under P, with {key} placeholders filled from setup's ids
	body   any    // nil sends no body
	status int    // exact
	check  func(t *testing.T, c apitest.Client, x ids, r *apitest.Response)
}

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

var scenarios = []scenario{
	// ---- settings ----
	{name: "settings/get/new SaaS", op: "GetSettings", method: "GET", path: "/settings", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, obj{})
		}},
	{name: "settings/put/every field", op: "UpdateSettings", method: "PUT", path: "/settings", body: fullSettings(), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
		}},
	{name: "settings/put/partial keeps the rest", op: "UpdateSettings", setup: withSettings, method: "PUT", path: "/settings",
		body: obj{"role_arn": "arn:aws:iam::210987654321:role/other"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, with(fullSettings(), "role_arn", "arn:aws:iam::210987654321:role/other"))
		}},
	{name: "settings/put/empty string clears", op: "UpdateSettings", setup: withSettings, method: "PUT", path: "/settings",
		body: obj{"sqs_arn": "", "cas_bucket_name": ""}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, with(fullSettings(), "sqs_arn", nil, "cas_bucket_name", nil))
		}},
	{name: "settings/put/empty object changes nothing", op: "UpdateSettings", setup: withSettings, method: "PUT", path: "/settings",
		body: obj{}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
		}},
	{name: "settings/put/upstream examples", op: "UpdateSettings", method: "PUT", path: "/settings",
		body: obj{"product_code": "1234567890", "role_external_id": "1234567890", "role_arn": "arn:aws:iam::123456789012:role/role-name",
			"sqs_arn": "arn:aws:sqs:us-east-1:123456789012:queue_name"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, obj{"product_code": "1234567890", "role_external_id": "1234567890",
				"role_arn": "arn:aws:iam::123456789012:role/role-name", "sqs_arn": "arn:aws:sqs:us-east-1:123456789012:queue_name"})
		}},
	{name: "settings/put/what GET returned, fulfillment URL included", op: "UpdateSettings", setup: withSettings, method: "PUT", path: "/settings",
		body: with(fullSettings(), "redirect_sign_up_page_function_url", "https://evil.example/steal", "product_code", "changed"), status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, with(fullSettings(), "product_code", "changed"))
		}},

	// ---- listing status and visibility ----
	{name: "listing-status/get/default", op: "GetListingStatus", method: "GET", path: "/listing-status", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "listing status", r.JSON(t), obj{"listing_status": "no_listing"})
		}},
	{name: "listing-status/put/every value and back", op: "UpdateListingStatus", method: "PUT", path: "/listing-status",
		body: obj{"listing_status": "public"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": "public"})
			for _, s := range listingStatuses { // any order is allowed, backwards too
				okEmpty(t, c, "PUT", "/listing-status", obj{"listing_status": s.status})
				wantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": s.status})
			}
		}},
	{name: "listing-status/put/keeps settings", op: "UpdateListingStatus", setup: withSettings, method: "PUT", path: "/listing-status",
		body: obj{"listing_status": "second_step_plan_created"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantSettings(t, c, fullSettings())
			okEmpty(t, c, "PUT", "/settings", obj{"product_code": "other"})
			wantFields(t, "listing status", get(t, c, "/listing-status"), obj{"listing_status": "second_step_plan_created"})
		}},
	{name: "catalog-entity/visibility/default", op: "GetCatalogEntityVisibility", method: "GET", path: "/catalog-entity/visibility", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "visibility", r.JSON(t), obj{"visibility": "Limited"})
		}},
	{name: "catalog-entity/visibility/follows the listing status", op: "GetCatalogEntityVisibility", method: "GET",
		path: "/catalog-entity/visibility", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			for _, s := range listingStatuses {
				okEmpty(t, c, "PUT", "/listing-status", obj{"listing_status": s.status})
				wantFields(t, "visibility after "+s.status, get(t, c, "/catalog-entity/visibility"), obj{"visibility": s.visibility})
			}
		}},

	// ---- plans ----
	{name: "plans/get/none", op: "GetPlans", method: "GET", path: "/plans", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if string(r.Body) != `{"plans":[]}` {
				t.Errorf("GET /plans of a new SaaS: %s, want {\"plans\":[]}", r.Body)
			}
		}},
	{name: "plans/get/ordered by name", op: "GetPlans", setup: linked, method: "GET", path: "/plans", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
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
	{name: "plans/put/link", op: "SavePlan", setup: twoPlans, method: "PUT", path: "/plans",
		body: obj{"plan_id": "{monthly}", "plan_name": "normal_plan_name_month"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "link", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["monthly"], "plan_name": "normal_plan_name_month"})
			if ls := planLinks(t, c); len(ls) != 1 {
				t.Errorf("GET /plans: %v, want one link", ls)
			}
		}},
	{name: "plans/put/same name replaces", op: "SavePlan", setup: linked, method: "PUT", path: "/plans",
		body: obj{"plan_id": "{yearly}", "plan_name": "normal_plan_name_month"}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "link", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["yearly"]})
			if ls := planLinks(t, c); len(ls) != 2 {
				t.Errorf("GET /plans: %v, want two links", ls)
			}
		}},
	{name: "plans/put/longest name with digits", op: "SavePlan", setup: twoPlans, method: "PUT", path: "/plans",
		body: obj{"plan_id": "{monthly}", "plan_name": "Plan_12_Month_" + strings.Repeat("x", 22)}, status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "link", get(t, c, "/plans/Plan_12_Month_"+strings.Repeat("x", 22)), obj{"plan_id": x["monthly"]})
		}},
	{name: "plans/get by name", op: "GetPlanByPlanName", setup: linked, method: "GET", path: "/plans/normal_plan_name_year", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			got := r.JSON(t)
			if len(got) != 2 {
				t.Errorf("GET /plans/{plan_name}: %v, want exactly plan_id and plan_name", got)
			}
			wantFields(t, "link", got, obj{"plan_id": x["yearly"], "plan_name": "normal_plan_name_year"})
			plan, err := c.Server.Marketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_year")
			if err != nil || plan != x["yearly"] {
				t.Errorf("PlanFor = %q, %v; want %q", plan, err, x["yearly"])
			}
		}},
	{name: "plans/get by name/unknown", op: "GetPlanByPlanName", setup: linked, method: "GET", path: "/plans/normal_plan_name_week", status: 404,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 404, "not_found", "normal_plan_name_week")
			if _, err := c.Server.Marketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_week"); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("PlanFor of an unlinked name: %v, want not found", err)
			}
		}},
	{name: "plans/get by name/case-sensitive", op: "GetPlanByPlanName", setup: linked, method: "GET", path: "/plans/NORMAL_PLAN_NAME_YEAR", status: 404},
	{name: "plans/get by name/not a plan name", op: "GetPlanByPlanName", method: "GET", path: "/plans/" + strings.Repeat("x", 37), status: 404},
	{name: "plans/get by name/pricing plan deleted", op: "GetPlanByPlanName", setup: linked, method: "GET", path: "/plans/normal_plan_name_month", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			c.Do(t, "DELETE", "/v1/pricing/plans/"+x["monthly"], nil).Want(t, 200)
			c.Do(t, "GET", P+"/plans/normal_plan_name_month", nil).WantError(t, 404, "not_found")
			ls := planLinks(t, c)
			if len(ls) != 1 || ls[0]["plan_name"] != "normal_plan_name_year" {
				t.Errorf("GET /plans after the plan's deletion: %v, want only normal_plan_name_year", ls)
			}
			if _, err := c.Server.Marketplace.PlanFor(t.Context(), c.SaaSID, "normal_plan_name_month"); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("PlanFor of a deleted plan: %v, want not found", err)
			}
			// Linking the name again to a live plan brings it back.
			okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["yearly"], "plan_name": "normal_plan_name_month"})
			wantFields(t, "relinked", get(t, c, "/plans/normal_plan_name_month"), obj{"plan_id": x["yearly"]})
		}},

	// ---- CloudFormation ----
	{name: "cloudformation-launch-stack-link", op: "GetCloudFormationLaunchStackLink", method: "GET", path: "/cloudformation-launch-stack-link", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
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
	{name: "cloudformation-launch-stack-link/with product code", op: "GetCloudFormationLaunchStackLink", setup: withSettings,
		method: "GET", path: "/cloudformation-launch-stack-link", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			q := launchQuery(t, r.JSON(t)["link"].(string))
			if got := q.Get("param_ProductCode"); got != fullSettings()["product_code"] {
				t.Errorf("param_ProductCode = %q", got)
			}
			ext, err := c.Server.Marketplace.ExternalID(t.Context(), c.SaaSID)
			if err != nil || q.Get("param_ExternalId") != ext {
				t.Errorf("param_ExternalId %q, ExternalID() = %q, %v", q.Get("param_ExternalId"), ext, err)
			}
		}},

	// ---- the test endpoint ----
	{name: "errors/internal-server-error", op: "ReturnInternalServerError", method: "GET", path: "/errors/internal-server-error", status: 500,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 500, "internal_server_error")
		}},
	// ---- registration tokens and customers ----
	{name: "registration-token/verify/fresh token", op: "VerifyRegistrationToken", setup: bought, method: "POST",
		path: "/registration-token/verify", body: obj{"registration_token": "{token}"}, status: 200},
	{name: "registration-token/verify/unknown token", op: "VerifyRegistrationToken", setup: bought, method: "POST",
		path: "/registration-token/verify", body: obj{"registration_token": "nope"}, status: 400,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_registration_token")
		}},
	{name: "registration-token/verify/used token", op: "VerifyRegistrationToken", setup: linkedCustomer, method: "POST",
		path: "/registration-token/verify", body: obj{"registration_token": "{token}"}, status: 400},
	{name: "customers/create/links the buyer and applies the plan", op: "CreateCustomer", setup: bought, method: "POST",
		path: "/customers", body: obj{"tenant_id": "{tenant}", "registration_token": "{token}"}, status: 201,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "customer", r.JSON(t), obj{"customer_identifier": x["customer"], "customer_aws_account_id": x["account"],
				"tenant_id": x["tenant"], "product_code": x["product"], "status": "subscribed", "dimension": "basic_month"})
			if got := tenantPlan(t, c, x["tenant"]); got != x["plan"] {
				t.Errorf("tenant plan = %q, want %q (linked to basic_month)", got, x["plan"])
			}
		}},
	{name: "customers/create/token used twice", op: "CreateCustomer", setup: linkedCustomer, method: "POST",
		path: "/customers", body: obj{"tenant_id": "{tenant}", "registration_token": "{token}"}, status: 400,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_registration_token")
		}},
	{name: "customers/create/unknown tenant", op: "CreateCustomer", setup: bought, method: "POST",
		path: "/customers", body: obj{"tenant_id": "no-such-tenant", "registration_token": "{token}"}, status: 400,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			r.WantError(t, 400, "invalid_request", "tenant_id")
			c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": x["token"]}).Want(t, 200) // not used up
		}},
	{name: "customers/list/all", op: "GetCustomers", setup: linkedCustomer, method: "GET", path: "/customers", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			cs, _ := r.JSON(t)["customers"].([]any)
			if len(cs) != 1 || cs[0].(obj)["customer_identifier"] != x["customer"] {
				t.Errorf("customers = %v, want the one linked", cs)
			}
		}},
	{name: "customers/list/by tenant ids", op: "GetCustomers", setup: linkedCustomer, method: "GET",
		path: "/customers?tenant_ids={tenant}&tenant_ids=other", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if cs, _ := r.JSON(t)["customers"].([]any); len(cs) != 1 {
				t.Errorf("customers of the tenant = %v, want 1", cs)
			}
			none := c.Do(t, "GET", P+"/customers?tenant_ids=other", nil).Want(t, 200).JSON(t)["customers"].([]any)
			if len(none) != 0 {
				t.Errorf("customers of another tenant = %v, want none", none)
			}
		}},
	{name: "customers/get/one", op: "GetCustomer", setup: linkedCustomer, method: "GET", path: "/customers/{customer}", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			wantFields(t, "customer", r.JSON(t), obj{"customer_identifier": x["customer"], "tenant_id": x["tenant"]})
		}},
	{name: "customers/get/unknown", op: "GetCustomer", method: "GET", path: "/customers/X0NOSUCHONE", status: 404},
	{name: "customers/sync/plan follows a contract change", op: "SyncCustomer", setup: func(t *testing.T, c apitest.Client) ids {
		x := linkedCustomer(t, c)
		okEmpty2(t, c, "PATCH", emu+"/purchases/"+x["customer"], obj{"dimension": "pro_month"})
		return x
	}, method: "POST", path: "/customers/{customer}/sync", status: 200,
		check: func(t *testing.T, c apitest.Client, x ids, r *apitest.Response) {
			if got := tenantPlan(t, c, x["tenant"]); got != x["pro_plan"] {
				t.Errorf("tenant plan after sync = %q, want the pro plan %q", got, x["pro_plan"])
			}
		}},
	{name: "customers/sync/unknown", op: "SyncCustomer", method: "POST", path: "/customers/X0NOSUCHONE/sync", status: 404},
}

// TestScenarios runs every scenario in a fresh SaaS on every backend. Each
// response is checked by the harness (trace id, content type, error shape,
// upstream schema of 2xx bodies).
func TestScenarios(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				x := ids{}
				if sc.setup != nil {
					x = sc.setup(t, c)
				}
				var body any
				if sc.body != nil {
					raw, _ := json.Marshal(sc.body)
					body = x.expand(string(raw))
				}
				r := c.Do(t, sc.method, P+x.expand(sc.path), body)
				if r.Status != sc.status {
					t.Fatalf("%s: status %d, want %d", r, r.Status, sc.status)
				}
				if r.Status == http.StatusOK && sc.method != http.MethodGet && len(r.Body) != 0 {
					t.Errorf("%s: want an empty body (upstream declares no content)", r)
				}
				if srv.Upstream != nil && r.OperationID != sc.op {
					t.Errorf("%s: routed to upstream %q, scenario says %q", r, r.OperationID, sc.op)
				}
				if sc.check != nil {
					sc.check(t, c, x, r)
				}
			})
		}
	})
}
