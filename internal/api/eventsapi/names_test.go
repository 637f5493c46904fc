package eventsapi

import (
	"testing"

	apispec "github.com/saasplane/saasplane/api"
)

// TestEventTypesNameTheOperations: a route's event type is its
// operationId in snake case, as SaaSus names events; an undocumented
// route is named by its method and path.
func TestEventTypesNameTheOperations(t *testing.T) {
	n, err := NewNames(apispec.Documents)
	if err != nil {
		t.Fatal(err)
	}
	for pattern, want := range map[string]string{
		"POST /v1/auth/tenants":               "create_tenant",
		"DELETE /v1/auth/tenants/{tenant_id}": "delete_tenant",
		"POST /v1/auth/users":                 "create_saas_user",
		"POST /v1/events/webhooks":            "create_webhook",
		"POST /v1/pricing/metering/units":     "create_metering_unit",
		"POST /v1/nowhere/{id}/sub-thing":     "post_nowhere_sub_thing",
		"garbage":                             "api_call",
	} {
		if got := n.Of(pattern); got != want {
			t.Errorf("Of(%q) = %q, want %q", pattern, got, want)
		}
	}
	for in, want := range map[string]string{"CreateTenant": "create_tenant", "GetSaasUser": "get_saas_user",
		"GetAPILogs": "get_api_logs", "UpdateTenantIdP": "update_tenant_id_p", "V2Thing": "v2_thing"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
