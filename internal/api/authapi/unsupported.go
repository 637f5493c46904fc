package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

// The upstream operations that need a third party saasplane does not run:
// external identity providers, Stripe, single-tenant CloudFormation stacks
// and Cognito's remembered devices. Each answers 409 not_supported in the
// API's error format, saying why, so that a client sees a documented
// refusal rather than a 404 for a route its SDK knows.

// TypeNotSupported is the error type of those operations.
const TypeNotSupported = "not_supported"

const (
	noIdP = "saasplane does not federate external identity providers (SAML, Google and the like): " +
		"users sign in with a password on the hosted page (/identity/{saas_id}/sign-in)"
	noStripe      = "saasplane has no Stripe link: it computes invoices itself (the billing API)"
	noCloudFormer = "saasplane does not deploy single-tenant CloudFormation stacks"
	noDevices     = "saasplane does not remember users' devices: every sign-in asks for the password (and the second factor, once MFA is on)"
)

// unsupported lists every such operation: method and path under Prefix,
// and why.
var unsupported = []struct{ method, path, why string }{
	{"DELETE", "/users/{user_id}/providers/{provider_name}", noIdP},
	{"GET", "/tenants/{tenant_id}/identity-providers", noIdP},
	{"PUT", "/tenants/{tenant_id}/identity-providers", noIdP},
	{"POST", "/external-users/request", noIdP},
	{"POST", "/external-users/confirm", noIdP},
	{"GET", "/identity-providers", noIdP},
	{"PUT", "/identity-providers", noIdP},
	{"PATCH", "/stripe/init", noStripe},
	{"DELETE", "/stripe", noStripe},
	{"GET", "/tenants/{tenant_id}/stripe-customer", noStripe},
	{"GET", "/single-tenant/cloudformation-launch-stack-link", noCloudFormer},
	{"GET", "/single-tenant/settings", noCloudFormer},
	{"PATCH", "/single-tenant/settings", noCloudFormer},
	{"POST", "/device/confirm", noDevices},
	{"POST", "/device/status", noDevices},
}

func (h *Handler) registerUnsupported(rt *httpx.Router) {
	for _, u := range unsupported {
		why := u.why
		rt.HandleFunc(u.method+" "+Prefix+u.path, func(http.ResponseWriter, *http.Request) error {
			return errs.Conflict("%s", why).WithType(TypeNotSupported)
		})
	}
}
