package authapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	apispec "github.com/saasplane/saasplane/api"
	"github.com/saasplane/saasplane/internal/api/apitest"
)

// authOps are the operations of the upstream Auth API that saasplane
// serves, as described by api/auth.yaml.
var authOps = []string{
	"GetTenants",
	"CreateTenant",
	"GetTenant",
	"UpdateTenant",
	"DeleteTenant",
	"UpdateTenantPlan",
	"UpdateTenantBillingInfo",
	"GetTenantAttributes",
	"CreateTenantAttribute",
	"DeleteTenantAttribute",
	"ResetPlan",
	"ReturnInternalServerError",
	"GetEnvs",
	"CreateEnv",
	"GetEnv",
	"UpdateEnv",
	"DeleteEnv",
	"GetRoles",
	"CreateRole",
	"UpdateRole",
	"DeleteRole",
	"GetSaasUsers",
	"CreateSaasUser",
	"GetSaasUser",
	"DeleteSaasUser",
	"UpdateSaasUserPassword",
	"GetUserInfo",
	"GetAuthCredentials",
	"CreateAuthCredentials",
	"GetUserInfoByEmail",
	"GetUserInfoBySignInId",
	"UpdateSaasUserAttributes",
	"GetUserAttributes",
	"CreateUserAttribute",
	"DeleteUserAttribute",
	"CreateSaasUserAttribute",
	"GetAllTenantUsers",
	"SearchTenantUsers",
	"GetAllTenantUser",
	"GetTenantUsers",
	"CreateTenantUser",
	"GetTenantUser",
	"UpdateTenantUser",
	"DeleteTenantUser",
	"CreateTenantUserRoles",
	"DeleteTenantUserRole",
	"GetAuthInfo",
	"UpdateAuthInfo",
	"GetBasicInfo",
	"UpdateBasicInfo",
	"ResetSaasUserPassword",
	"SignUp",
	"ResendSignUpConfirmationEmail",
	"FindNotificationMessages",
	"UpdateNotificationMessages",
	"GetCustomizePageSettings",
	"UpdateCustomizePageSettings",
	"GetCustomizePages",
	"UpdateCustomizePages",
	"GetSignInSettings",
	"UpdateSignInSettings",
	"UpdateSaasUserEmail",
	"UpdateSaasUserSignInId",
	"RequestEmailUpdate",
	"ConfirmEmailUpdate",
	"GetTenantInvitations",
	"CreateTenantInvitation",
	"GetTenantInvitation",
	"DeleteTenantInvitation",
	"GetInvitationValidity",
	"ValidateInvitation",
	"CreateSecretCode",
	"UpdateSoftwareToken",
	"GetUserMfaPreference",
	"UpdateUserMfaPreference",
	"UnlinkProvider",
	"GetTenantIdentityProviders",
	"UpdateTenantIdentityProvider",
	"RequestExternalUserLink",
	"ConfirmExternalUserLink",
	"GetIdentityProviders",
	"UpdateIdentityProvider",
	"CreateTenantAndPricing",
	"DeleteStripeTenantAndPricing",
	"GetStripeCustomer",
	"GetCloudFormationLaunchStackLinkForSingleTenant",
	"GetSingleTenantSettings",
	"UpdateSingleTenantSettings",
	"SignIn",
	"RespondToSignInChallenge",
	"SignUpWithAwsMarketplace",
	"ConfirmSignUpWithAwsMarketplace",
	"LinkAwsMarketplace",
	"ConfirmDevice",
	"UpdateDeviceStatus",
}

// TestEveryAuthOperationHasAScenario: our api/auth.yaml describes exactly
// authOps; each of them is an upstream operation; the scenario table names
// every one, with the method and path upstream routes to it; and, once the
// scenarios have run, the upstream document recorded a call of each.
func TestEveryAuthOperationHasAScenario(t *testing.T) {
	t.Parallel()
	want := slices.Sorted(slices.Values(authOps))

	t.Run("api/auth.yaml has exactly our operations", func(t *testing.T) {
		doc, err := openapi3.NewLoader().LoadFromData(apispec.Auth)
		if err != nil {
			t.Fatalf("load api/auth.yaml: %v", err)
		}
		var got []string
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				got = append(got, op.OperationID)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("operationIds of api/auth.yaml:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
		}
	})

	up := apitest.LoadUpstreamDoc(t, apitest.AuthDoc)
	upstreamOps := up.OperationIDs()
	for _, op := range authOps {
		if !slices.Contains(upstreamOps, op) {
			t.Errorf("%s is not an operation of the upstream %s", op, apitest.AuthDoc)
		}
	}

	routes := make([]apitest.Route, len(scenarios))
	for i, sc := range scenarios {
		routes[i] = apitest.Route{Name: sc.name, Op: sc.op, Method: sc.method, Path: A + sc.path}
	}
	// Run the scenarios (on SQLite: the routing does not depend on the
	// backend) and require the harness to have seen every operation.
	apitest.WantExercised(t, up, routes, authOps, func(t *testing.T) {
		runScenarios(t, apitest.Backend{Name: "sqlite", DB: apitest.OpenSQLite(t)})
	})
	t.Logf("%d of %d upstream auth operations served and exercised", len(authOps), len(upstreamOps))
}
