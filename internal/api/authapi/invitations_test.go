package authapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Invitations to a tenant: made by a member, mailed, accepted by a new
// address with a password or by a signed-in user, once.

func init() { scenarios = append(scenarios, invitationScenarios...) }

// withInviter is withRoles with ann signed in (key access).
func withInviter(t *testing.T, e *env) {
	t.Helper()
	withRoles(t, e)
	e.x["access"] = signIn(t, e, "user").AccessToken
}

func invitationBody(x ids, email string) obj {
	return obj{"email": email, "access_token": x["access"], "envs": []obj{{"id": 3, "role_names": []string{"user"}}, {"id": 1, "role_names": []string{"admin", "user"}}}}
}

// withInvitation is withInviter with bea invited (key invitation).
func withInvitation(t *testing.T, e *env) {
	t.Helper()
	withInviter(t, e)
	e.x["invitation"] = e.c.Do(t, "POST", A+"/tenants/"+e.x["tenant"]+"/invitations", invitationBody(e.x, "bea@example.com")).Want(t, 201).JSON(t)["id"].(string)
}

var invitationScenarios = []scenario{
	{name: "invitations/create", op: "CreateTenantInvitation", setup: withInviter, method: "POST", path: "/tenants/{tenant}/invitations",
		body: func(x ids) any { return invitationBody(x, "Bea@example.com") }, status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			inv := r.JSON(t)
			apitest.WantFields(t, "invitation", inv, obj{"email": "Bea@example.com", "status": "pending", "expired_at": float64(T0.Add(7 * 24 * time.Hour).Unix()),
				"envs": []any{
					obj{"id": float64(3), "name": "prod", "display_name": "Production", "roles": []any{userRole}},
					obj{"id": float64(1), "name": "dev", "display_name": "開発環境", "roles": []any{adminRole, userRole}},
				}})
			if u := inv["invitation_url"].(string); !strings.HasSuffix(u, "/identity/"+e.c.SaaSID+"/invitations/"+inv["id"].(string)) {
				t.Errorf("invitation_url %s", u)
			}
			m := mailTo(t, e, "Bea@example.com")
			if m["purpose"] != "invitation" || !strings.Contains(m["text"].(string), inv["invitation_url"].(string)) {
				t.Errorf("mail %v", m)
			}
		}},
	{name: "invitations/create, not a member", op: "CreateTenantInvitation",
		setup: func(t *testing.T, e *env) {
			withInviter(t, e)
			e.x["tenant"] = newTenant(t, e.c, "globex")
		}, method: "POST", path: "/tenants/{tenant}/invitations", body: func(x ids) any { return invitationBody(x, "bea@example.com") }, status: 400},
	{name: "invitations/create, a member already", op: "CreateTenantInvitation", setup: withInviter, method: "POST", path: "/tenants/{tenant}/invitations",
		body: func(x ids) any { return invitationBody(x, "ANN@example.com") }, status: 400},
	{name: "invitations/create, bad token", op: "CreateTenantInvitation", setup: withInviter, method: "POST", path: "/tenants/{tenant}/invitations",
		body: func(x ids) any { return obj{"email": "bea@example.com", "access_token": "x", "envs": []obj{}} }, status: 401},
	{name: "invitations/list", op: "GetTenantInvitations", setup: withInvitation, method: "GET", path: "/tenants/{tenant}/invitations", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			is := r.JSON(t)["invitations"].([]any)
			if len(is) != 1 || is[0].(obj)["id"] != e.x["invitation"] {
				t.Errorf("invitations %v", is)
			}
		}},
	{name: "invitations/get", op: "GetTenantInvitation", setup: withInvitation, method: "GET", path: "/tenants/{tenant}/invitations/{invitation}", status: 200},
	{name: "invitations/get, unknown", op: "GetTenantInvitation", setup: withTenant, method: "GET", path: "/tenants/{tenant}/invitations/nope", status: 404},
	{name: "invitations/delete", op: "DeleteTenantInvitation", setup: withInvitation, method: "DELETE", path: "/tenants/{tenant}/invitations/{invitation}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			e.c.Do(t, "GET", A+"/invitations/"+e.x["invitation"]+"/validity", nil).WantError(t, 404, "not_found")
		}},
	{name: "invitations/validity", op: "GetInvitationValidity", setup: withInvitation, method: "GET", path: "/invitations/{invitation}/validity", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"is_valid": true})
			e.clk.Add(7*24*time.Hour + time.Second)
			apitest.WantJSONEqual(t, "after 7 days", get(t, e.c, A+"/invitations/"+e.x["invitation"]+"/validity"), obj{"is_valid": false})
			apitest.WantFields(t, "the expired invitation", get(t, e.c, A+"/tenants/"+e.x["tenant"]+"/invitations/"+e.x["invitation"]), obj{"status": "expired"})
			e.c.Do(t, "PATCH", A+"/invitations/"+e.x["invitation"]+"/validate", obj{"email": "bea@example.com", "password": goodPassword}).
				WantError(t, 400, "invalid_invitation")
		}},
	{name: "invitations/validity, unknown", op: "GetInvitationValidity", method: "GET", path: "/invitations/nope/validity", status: 404},
	{name: "invitations/validate, a new user", op: "ValidateInvitation", setup: withInvitation, method: "PATCH", path: "/invitations/{invitation}/validate",
		body: apitest.Static(obj{"email": "BEA@example.com", "password": goodPassword}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			info := get(t, e.c, A+"/userinfo/search/email?email=bea%40example.com")
			ts := info["tenants"].([]any)
			if len(ts) != 1 || ts[0].(obj)["id"] != e.x["tenant"] || len(ts[0].(obj)["envs"].([]any)) != 2 {
				t.Errorf("bea's tenants %s", apitest.CanonJSON(ts))
			}
			apitest.WantJSONEqual(t, "validity", get(t, e.c, A+"/invitations/"+e.x["invitation"]+"/validity"), obj{"is_valid": false})
			e.c.Do(t, "PATCH", A+"/invitations/"+e.x["invitation"]+"/validate", obj{"email": "bea@example.com", "password": goodPassword}).
				WantError(t, 400, "invalid_invitation")
		}},
	{name: "invitations/validate, a signed-in user", op: "ValidateInvitation",
		setup: func(t *testing.T, e *env) {
			withInvitation(t, e)
			e.x["bea"] = e.c.Do(t, "POST", A+"/users", obj{"email": "bea@example.com", "password": goodPassword}).Want(t, 201).JSON(t)["id"].(string)
			e.x["bea access"] = signIn(t, e, "bea").AccessToken
		}, method: "PATCH", path: "/invitations/{invitation}/validate",
		body: func(x ids) any { return obj{"access_token": x["bea access"]} }, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			e.c.Do(t, "GET", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["bea"], nil).Want(t, 200)
		}},
	{name: "invitations/validate, another address", op: "ValidateInvitation", setup: withInvitation, method: "PATCH", path: "/invitations/{invitation}/validate",
		body: func(x ids) any { return obj{"access_token": x["access"]} }, status: 400},
	{name: "invitations/validate, weak password", op: "ValidateInvitation", setup: withInvitation, method: "PATCH", path: "/invitations/{invitation}/validate",
		body: apitest.Static(obj{"email": "bea@example.com", "password": "short"}), status: 400},
}
