package awsmarketplaceapi_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// emu is the emulator's admin prefix.
const emu = "/aws/marketplace/_emulator"

// productCode returns a fresh product code: in the emulator a product
// belongs to the first SaaS that buys it.
func productCode(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "prod" + hex.EncodeToString(b)
}

// seller configures c's SaaS to sell product through the emulator: the
// settings (role and external id), and the plan "basic" linked to the AWS
// plan name "basic_month". It returns the ids it made.
func seller(t testing.TB, c apitest.Client) ids {
	t.Helper()
	x := ids{"product": productCode(t), "plan": createPlan(t, c, "basic"), "pro_plan": createPlan(t, c, "pro")}
	okEmpty(t, c, "PUT", "/settings", obj{"product_code": x["product"],
		"role_arn": "arn:aws:iam::123456789012:role/saasplane-seller", "role_external_id": "ext-" + x["product"]})
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["plan"], "plan_name": "basic_month"})
	okEmpty(t, c, "PUT", "/plans", obj{"plan_id": x["pro_plan"], "plan_name": "pro_month"})
	return x
}

// buy makes a purchase of dimension in the emulator and returns its
// marketplace token and customer identifiers.
func buy(t testing.TB, c apitest.Client, product, dimension string) obj {
	t.Helper()
	return c.Do(t, "POST", emu+"/purchases", obj{"product_code": product, "dimension": dimension, "quantity": 1}).
		Want(t, http.StatusCreated).JSON(t)
}

// fulfill posts the marketplace token to the SaaS's fulfillment URL as AWS
// Marketplace does (a browser form post, no signature) and returns the
// response.
func fulfill(t testing.TB, c apitest.Client, saasID, marketplaceToken string) *apitest.Response {
	t.Helper()
	form := url.Values{"x-amzn-marketplace-token": {marketplaceToken}}.Encode()
	return c.Server.Raw(t, "POST", "/awsmarketplace/fulfillment/"+saasID, []byte(form),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// registrationToken follows the fulfillment redirect and returns the
// registration token it carries.
func registrationToken(t testing.TB, r *apitest.Response) string {
	t.Helper()
	r.Want(t, http.StatusSeeOther)
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", r.Header.Get("Location"), err)
	}
	tok := u.Query().Get("registration_token")
	if tok == "" {
		t.Fatalf("Location %q has no registration_token", u)
	}
	return tok
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
	p := buy(t, c, x["product"], "basic_month")
	x["customer"] = p["customer_identifier"].(string)
	x["account"] = p["customer_aws_account_id"].(string)
	x["token"] = registrationToken(t, fulfill(t, c, c.SaaSID, p["marketplace_token"].(string)))
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
