package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The operations that need a third party answer 409 not_supported, with
// a message that says what instead, whatever the body.

func init() {
	for _, u := range []struct{ op, method, path, says string }{
		{"UnlinkProvider", "DELETE", "/users/u1/providers/Google", "identity providers"},
		{"GetTenantIdentityProviders", "GET", "/tenants/t1/identity-providers", "identity providers"},
		{"UpdateTenantIdentityProvider", "PUT", "/tenants/t1/identity-providers", "identity providers"},
		{"RequestExternalUserLink", "POST", "/external-users/request", "identity providers"},
		{"ConfirmExternalUserLink", "POST", "/external-users/confirm", "identity providers"},
		{"GetIdentityProviders", "GET", "/identity-providers", "identity providers"},
		{"UpdateIdentityProvider", "PUT", "/identity-providers", "identity providers"},
		{"CreateTenantAndPricing", "PATCH", "/stripe/init", "Stripe"},
		{"DeleteStripeTenantAndPricing", "DELETE", "/stripe", "Stripe"},
		{"GetStripeCustomer", "GET", "/tenants/t1/stripe-customer", "Stripe"},
		{"GetCloudFormationLaunchStackLinkForSingleTenant", "GET", "/single-tenant/cloudformation-launch-stack-link", "CloudFormation"},
		{"GetSingleTenantSettings", "GET", "/single-tenant/settings", "CloudFormation"},
		{"UpdateSingleTenantSettings", "PATCH", "/single-tenant/settings", "CloudFormation"},
		{"ConfirmDevice", "POST", "/device/confirm", "devices"},
		{"UpdateDeviceStatus", "POST", "/device/status", "devices"},
	} {
		says := u.says
		var body func(ids) any
		if u.method == "POST" || u.method == "PUT" || u.method == "PATCH" {
			body = apitest.Static(obj{"anything": true})
		}
		scenarios = append(scenarios, scenario{name: "not supported/" + u.op, op: u.op, method: u.method, path: u.path, body: body, status: 409,
			check: func(t *testing.T, e *env, r *apitest.Response) {
				b := r.JSON(t)
				if b["type"] != "not_supported" || !strings.Contains(b["message"].(string), says) {
					t.Errorf("body %v, want not_supported saying %q", b, says)
				}
			}})
	}
}
