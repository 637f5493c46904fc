package awsmarketplaceapi_test

import (
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// emu is the emulator's admin prefix.
const emu = "/aws/marketplace/_emulator"

// seller configures c's SaaS to sell product through the emulator: the
// settings (role and external id), and the plan "basic" linked to the AWS
// plan name "basic_month". It returns the ids it made.
func seller(t testing.TB, c apitest.Client) ids {
	t.Helper()
	x := ids{"plan": createPlan(t, c, "basic"), "pro_plan": createPlan(t, c, "pro")}
	x["product"] = apitest.AWSSell(t, c)
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["plan"], "plan_name": "basic_month"})
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["pro_plan"], "plan_name": "pro_month"})
	return x
}

// newTenant creates a tenant and returns its id.
func newTenant(t testing.TB, c apitest.Client, name string) string {
	t.Helper()
	body := obj{"name": name, "attributes": obj{}, "back_office_staff_email": "staff@example.com"}
	id, _ := c.Do(t, "POST", "/v1/auth/tenants", body).Want(t, http.StatusCreated).JSON(t)["id"].(string)
	if id == "" {
		t.Fatal("POST /v1/auth/tenants: no id")
	}
	return id
}

// tenantPlan returns the tenant's current plan id ("" for none).
func tenantPlan(t testing.TB, c apitest.Client, tenantID string) string {
	t.Helper()
	p, _ := c.Do(t, "GET", "/v1/auth/tenants/"+tenantID, nil).Want(t, http.StatusOK).JSON(t)["plan_id"].(string)
	return p
}

// bought is seller, a purchase of basic_month, its registration token and
// a tenant: everything POST /customers needs.
func bought(t *testing.T, c apitest.Client) ids {
	x := seller(t, c)
	p := apitest.AWSBuy(t, c, x["product"], "basic_month")
	x["customer"] = p["customer_identifier"].(string)
	x["account"] = p["customer_aws_account_id"].(string)
	x["token"] = apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, c, c.SaaSID, p["marketplace_token"].(string)))
	x["tenant"] = newTenant(t, c, "acme")
	return x
}

// linkedCustomer is bought with the buyer linked to the tenant.
func linkedCustomer(t *testing.T, c apitest.Client) ids {
	x := bought(t, c)
	c.Do(t, "POST", P+"/customers", obj{"tenant_id": x["tenant"], "registration_token": x["token"]}).Want(t, http.StatusCreated)
	return x
}

// okEmpty2 sends a signed call outside P and requires a 2xx.
func okEmpty2(t testing.TB, c apitest.Client, method, path string, body any) {
	t.Helper()
	if r := c.Do(t, method, path, body); r.Status/100 != 2 {
		t.Fatalf("%s: want 2xx", r)
	}
}
