package authapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

func init() { scenarios = append(scenarios, awsMarketplaceScenarios...) }

// The AWS Marketplace API, where the purchase's side is checked.
const AWS = "/v1/awsmarketplace"

// withPurchase sells the pricing plan "basic" as the AWS plan
// basic_month through the emulator and has a buyer purchase it and
// arrive at the fulfillment URL (keys basic, customer, registration).
func withPurchase(t *testing.T, e *env) {
	t.Helper()
	product := apitest.AWSSell(t, e.c)
	e.x["basic"] = pricingPlan(t, e.c, "basic", "month", e.x)
	e.c.OKEmpty(t, "PUT", AWS+"/plans", obj{"plan_id": e.x["basic"], "plan_name": "basic_month"})
	p := apitest.AWSBuy(t, e.c, product, "basic_month")
	e.x["customer"] = p["customer_identifier"].(string)
	e.x["marketplace"] = p["marketplace_token"].(string)
	arrive(t, e)
}

// arrive brings the buyer to the fulfillment URL (again), which gives
// them a new registration token (key registration).
func arrive(t *testing.T, e *env) {
	t.Helper()
	e.x["registration"] = apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, e.c, e.c.SaaSID, e.x["marketplace"]))
}

// wantType requires an error answer of type typ.
func wantType(t *testing.T, r *apitest.Response, typ string) {
	t.Helper()
	if got := r.JSON(t)["type"]; got != typ {
		t.Errorf("error type %v, want %s: %s", got, typ, r.Body)
	}
}

// withBuyer is withPurchase and withSignedIn: ann, signed in, holds a
// registration token.
func withBuyer(t *testing.T, e *env) {
	t.Helper()
	withPurchase(t, e)
	withSignedIn(t, e)
}

// withBuyerInTenant is withBuyer with ann a member of the tenant "acme".
func withBuyerInTenant(t *testing.T, e *env) {
	t.Helper()
	withBuyer(t, e)
	withTenant(t, e)
	join(t, e, e.x["tenant"], "ann@example.com")
}

// registrationValid says whether the purchase's token can still link it.
func registrationValid(t *testing.T, e *env) bool {
	t.Helper()
	return e.c.Do(t, "POST", AWS+"/registration-token/verify", obj{"registration_token": e.x["registration"]}).Status == 200
}

// customerTenant is the tenant the purchase's buyer is linked to ("" for
// none).
func customerTenant(t *testing.T, e *env) string {
	t.Helper()
	r := e.c.Do(t, "GET", AWS+"/customers/"+e.x["customer"], nil)
	if r.Status == 404 {
		return ""
	}
	return r.Want(t, 200).JSON(t)["tenant_id"].(string)
}

// tenantIDs lists the ids of the SaaS's tenants.
func tenantIDs(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, tn := range e.c.Do(t, "GET", A+"/tenants", nil).Want(t, 200).JSON(t)["tenants"].([]any) {
		out = append(out, tn.(obj)["id"].(string))
	}
	return out
}

func confirmBody(name string) func(ids) any {
	return func(x ids) any {
		return obj{"tenant_name": name, "access_token": x["access"], "registration_token": x["registration"]}
	}
}

var awsMarketplaceScenarios = []scenario{
	{name: "aws-marketplace/sign-up", op: "SignUpWithAwsMarketplace", setup: withPurchase,
		method: "POST", path: "/aws-marketplace/sign-up", status: 201,
		body: func(x ids) any { return obj{"email": "buyer@example.com", "registration_token": x["registration"]} },
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if u := r.JSON(t); u["email"] != "buyer@example.com" {
				t.Errorf("sign-up answered %v", u)
			}
			e.c.Do(t, "GET", A+"/users/"+r.JSON(t)["id"].(string), nil).Want(t, 200)
			if !registrationValid(t, e) {
				t.Error("sign-up used the registration token up; confirming it must still work")
			}
		}},
	{name: "aws-marketplace/sign-up/bad token", op: "SignUpWithAwsMarketplace", setup: withPurchase,
		method: "POST", path: "/aws-marketplace/sign-up", status: 400,
		body: apitest.Static(obj{"email": "buyer@example.com", "registration_token": "forged"}),
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "invalid_registration_token")
			apitest.WantJSONEqual(t, "users after a refused sign-up", e.c.Do(t, "GET", A+"/users", nil).Want(t, 200).JSON(t), obj{"users": []any{}})
		}},
	{name: "aws-marketplace/sign-up-confirm", op: "ConfirmSignUpWithAwsMarketplace", setup: withBuyer,
		method: "POST", path: "/aws-marketplace/sign-up-confirm", body: confirmBody("Buyer Co"), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			tn := r.JSON(t)
			id := tn["id"].(string)
			if tn["name"] != "Buyer Co" || tn["back_office_staff_email"] != "ann@example.com" {
				t.Errorf("the new tenant: %v", tn)
			}
			if got := customerTenant(t, e); got != id {
				t.Errorf("the buyer is linked to tenant %q, want the new %q", got, id)
			}
			if p := e.c.Do(t, "GET", A+"/tenants/"+id, nil).Want(t, 200).JSON(t)["plan_id"]; p != e.x["basic"] {
				t.Errorf("the new tenant's plan is %v, want basic (%s), the plan of the AWS contract", p, e.x["basic"])
			}
			e.c.Do(t, "GET", A+"/tenants/"+id+"/users/"+e.x["user"], nil).Want(t, 200)
			if registrationValid(t, e) {
				t.Error("the registration token still works after the confirmation used it")
			}
		}},
	{name: "aws-marketplace/sign-up-confirm/no tenant name", op: "ConfirmSignUpWithAwsMarketplace", setup: withBuyer,
		method: "POST", path: "/aws-marketplace/sign-up-confirm", status: 201,
		body: func(x ids) any { return obj{"access_token": x["access"], "registration_token": x["registration"]} },
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if n := r.JSON(t)["name"]; n != "ann@example.com" {
				t.Errorf("a tenant confirmed without a name is named %v, want the user's email", n)
			}
		}},
	{name: "aws-marketplace/sign-up-confirm/bad access token", op: "ConfirmSignUpWithAwsMarketplace", setup: withBuyer,
		method: "POST", path: "/aws-marketplace/sign-up-confirm", status: 401,
		body: func(x ids) any {
			return obj{"access_token": x["access"] + "x", "registration_token": x["registration"]}
		},
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "invalid_token")
			if ts := tenantIDs(t, e); len(ts) != 0 || !registrationValid(t, e) {
				t.Errorf("a refused confirmation left tenants %v, or used the token", ts)
			}
		}},
	{name: "aws-marketplace/sign-up-confirm/bad registration token", op: "ConfirmSignUpWithAwsMarketplace", setup: withBuyer,
		method: "POST", path: "/aws-marketplace/sign-up-confirm", status: 400,
		body: func(x ids) any { return obj{"access_token": x["access"], "registration_token": "forged"} },
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "invalid_registration_token")
			if ts := tenantIDs(t, e); len(ts) != 0 {
				t.Errorf("a refused confirmation left tenants %v", ts)
			}
		}},
	{name: "aws-marketplace/sign-up-confirm/buyer linked elsewhere", op: "ConfirmSignUpWithAwsMarketplace",
		setup: func(t *testing.T, e *env) {
			// The buyer links the purchase to acme, then arrives again
			// (a second registration token of the same buyer) and
			// confirms a new tenant: the link is refused, and the tenant
			// made for it is deleted again.
			withBuyerInTenant(t, e)
			e.c.OKEmpty(t, "PATCH", A+"/aws-marketplace/link", obj{"tenant_id": e.x["tenant"], "access_token": e.x["access"], "registration_token": e.x["registration"]})
			arrive(t, e)
		},
		method: "POST", path: "/aws-marketplace/sign-up-confirm", body: confirmBody("Second Co"), status: 409,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "customer_already_linked")
			if ts := tenantIDs(t, e); len(ts) != 1 || ts[0] != e.x["tenant"] {
				t.Errorf("tenants after the refused link: %v, want only acme (%s)", ts, e.x["tenant"])
			}
			if got := customerTenant(t, e); got != e.x["tenant"] {
				t.Errorf("the buyer is linked to %q, want still acme", got)
			}
		}},
	{name: "aws-marketplace/link", op: "LinkAwsMarketplace", setup: withBuyerInTenant,
		method: "PATCH", path: "/aws-marketplace/link", status: 200,
		body: func(x ids) any {
			return obj{"tenant_id": x["tenant"], "access_token": x["access"], "registration_token": x["registration"]}
		},
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if got := customerTenant(t, e); got != e.x["tenant"] {
				t.Errorf("the buyer is linked to tenant %q, want %q", got, e.x["tenant"])
			}
			if p := e.c.Do(t, "GET", A+"/tenants/"+e.x["tenant"], nil).Want(t, 200).JSON(t)["plan_id"]; p != e.x["basic"] {
				t.Errorf("the linked tenant's plan is %v, want basic", p)
			}
		}},
	{name: "aws-marketplace/link/not a member", op: "LinkAwsMarketplace",
		setup:  func(t *testing.T, e *env) { withBuyer(t, e); withTenant(t, e) },
		method: "PATCH", path: "/aws-marketplace/link", status: 400,
		body: func(x ids) any {
			return obj{"tenant_id": x["tenant"], "access_token": x["access"], "registration_token": x["registration"]}
		},
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "not_a_member")
			if got := customerTenant(t, e); got != "" || !registrationValid(t, e) {
				t.Errorf("a refused link linked the buyer to %q, or used the token", got)
			}
		}},
}

// TestAWSMarketplaceSignUpBadInput: every malformed body is a 400 naming
// its fields, and changes nothing.
func TestAWSMarketplaceSignUpBadInput(t *testing.T) {
	t.Parallel()
	runOutcomes(t, []outcome{
		invalidFor("sign-up: nothing", withPurchase, "POST", "/aws-marketplace/sign-up", apitest.Static(obj{}), "email", "registration_token"),
		invalidFor("sign-up: bad email", withPurchase, "POST", "/aws-marketplace/sign-up",
			func(x ids) any { return obj{"email": "not an email", "registration_token": x["registration"]} }, "email"),
		invalidFor("confirm: nothing", withPurchase, "POST", "/aws-marketplace/sign-up-confirm", apitest.Static(obj{}), "access_token", "registration_token"),
		invalidFor("confirm: name too long", withBuyer, "POST", "/aws-marketplace/sign-up-confirm", confirmBody(string(make([]byte, 300))), "tenant_name"),
		invalidFor("link: nothing", withPurchase, "PATCH", "/aws-marketplace/link", apitest.Static(obj{}), "tenant_id", "access_token", "registration_token"),
		invalidFor("link: tenant id of the wrong type", withPurchase, "PATCH", "/aws-marketplace/link", apitest.Static(obj{"tenant_id": 1}), "tenant_id"),
	})
}
