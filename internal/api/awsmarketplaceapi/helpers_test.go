package awsmarketplaceapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// P is the mount point of the AWS Marketplace API.
const P = "/v1/awsmarketplace"

// obj is a JSON object, as requests are written and responses decoded.
type obj = apitest.Obj

// ids names what a case's setup created.
type ids = apitest.IDs

// settingsFields are the keys of GET /settings, all strings: upstream's
// nine and saasplane's sign_up_url.
var settingsFields = []string{"product_code", "role_arn", "role_external_id", "sns_topic_arn", "cas_bucket_name",
	"cas_sns_topic_arn", "seller_sns_topic_arn", "redirect_sign_up_page_function_url", "sqs_arn", "sign_up_url"}

// fullSettings is a valid PUT /settings body setting every field.
func fullSettings() obj {
	return obj{
		"product_code":         "6gq4jfxugexb4xzn3acpagoto",
		"role_arn":             "arn:aws:iam::123456789012:role/saasplane-marketplace",
		"role_external_id":     "0b6b7c5e-6f0a-4a8e-9a51-3f6f1e0b2c11",
		"sns_topic_arn":        "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-6gq4jfxugexb4xzn3acpagoto",
		"cas_bucket_name":      "cas-bucket-name",
		"cas_sns_topic_arn":    "arn:aws:sns:us-east-1:123456789012:cas-topic",
		"seller_sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:seller-topic",
		"sqs_arn":              "arn:aws:sqs:us-east-1:123456789012:saasplane-notifications",
		"sign_up_url":          "https://app.example.com/aws/sign-up?from=aws",
	}
}

// get GETs path under P, requires 200 and returns the decoded object.
func get(t testing.TB, c apitest.Client, path string) obj {
	t.Helper()
	return c.Do(t, http.MethodGet, P+path, nil).Want(t, http.StatusOK).JSON(t)
}

// okEmpty sends a request under P that must answer 200 with an empty body.
func okEmpty(t testing.TB, c apitest.Client, method, path string, body any) {
	t.Helper()
	c.OKEmpty(t, method, P+path, body)
}

// createPlan creates an empty pricing plan and returns its id.
func createPlan(t testing.TB, c apitest.Client, name string) string {
	t.Helper()
	body := obj{"name": name, "display_name": "Plan " + name, "description": "plan " + name, "menu_ids": []string{}}
	id, _ := c.Do(t, http.MethodPost, "/v1/pricing/plans", body).Want(t, http.StatusCreated).JSON(t)["id"].(string)
	if id == "" {
		t.Fatal("POST /v1/pricing/plans: no id")
	}
	return id
}

// twoPlans creates the pricing plans "monthly" and "yearly".
func twoPlans(t *testing.T, c apitest.Client) ids {
	return ids{"monthly": createPlan(t, c, "monthly"), "yearly": createPlan(t, c, "yearly")}
}

// linked is twoPlans with normal_plan_name_month linked to monthly and
// normal_plan_name_year to yearly.
func linked(t *testing.T, c apitest.Client) ids {
	x := twoPlans(t, c)
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["monthly"], "plan_name": "normal_plan_name_month"})
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["yearly"], "plan_name": "normal_plan_name_year"})
	return x
}

// withSettings sets fullSettings.
func withSettings(t *testing.T, c apitest.Client) ids {
	okEmpty(t, c, "PUT", "/settings", fullSettings())
	return ids{}
}

// wantSettings checks GET /settings: exactly the nine fields, all strings,
// with the values of want ("" for the fields want leaves out) and the
// fulfillment URL of the SaaS.
func wantSettings(t testing.TB, c apitest.Client, want obj) {
	t.Helper()
	got := get(t, c, "/settings")
	if len(got) != len(settingsFields) {
		t.Errorf("GET /settings has %d fields, want %d: %v", len(got), len(settingsFields), got)
	}
	for _, f := range settingsFields {
		w, ok := want[f]
		if !ok {
			w = ""
		}
		if f == "redirect_sign_up_page_function_url" {
			w = c.Server.URL + "/awsmarketplace/fulfillment/" + c.SaaSID
		}
		if s, isString := got[f].(string); !isString || s != w {
			t.Errorf("GET /settings: %s = %#v, want %q", f, got[f], w)
		}
	}
}

// planNames returns the plan_name of each entry of GET /plans, in order,
// and fails unless every entry has exactly plan_id and plan_name.
func planLinks(t testing.TB, c apitest.Client) []obj {
	t.Helper()
	raw, ok := get(t, c, "/plans")["plans"].([]any)
	if !ok {
		t.Fatal("GET /plans: no array plans")
	}
	out := make([]obj, len(raw))
	for i, v := range raw {
		out[i] = v.(obj)
		if len(out[i]) != 2 {
			t.Errorf("GET /plans entry %d: %v, want exactly plan_id and plan_name", i, out[i])
		}
	}
	return out
}
