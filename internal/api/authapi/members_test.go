package authapi_test

import (
	"net/url"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The tenants' users (memberships), the roles they hold per env, user
// attributes, and what userinfo shows of them.

func init() { scenarios = append(scenarios, memberScenarios...) }

// withMember is withUser and withTenant, withEnvsAndRoles, the user
// attribute "nickname" (per tenant) and the SaaS-wide one "birthday",
// and ann a member of the tenant with nickname "Annie".
func withMember(t *testing.T, e *env) {
	t.Helper()
	withUser(t, e)
	withTenant(t, e)
	withEnvsAndRoles(t, e)
	e.x["ann's tenant"] = e.x["tenant"]
	e.c.Do(t, "POST", A+"/user-attributes", attributeBody("nickname", "string")).Want(t, 201)
	e.c.Do(t, "POST", A+"/saas-user-attributes", attributeBody("birthday", "date")).Want(t, 201)
	e.c.Do(t, "POST", A+"/tenants/"+e.x["tenant"]+"/users", obj{"email": "ann@example.com", "attributes": obj{"nickname": "Annie"}}).Want(t, 201)
}

// withRoles is withMember with ann holding admin and user in prod and
// user in dev.
func withRoles(t *testing.T, e *env) {
	t.Helper()
	withMember(t, e)
	base := A + "/tenants/" + e.x["tenant"] + "/users/" + e.x["user"] + "/envs/"
	e.c.Do(t, "POST", base+"3/roles", obj{"role_names": []string{"user", "admin"}}).Want(t, 201)
	e.c.Do(t, "POST", base+"1/roles", obj{"role_names": []string{"user"}}).Want(t, 201)
}

var (
	userRole  = obj{"role_name": "user", "display_name": "User"}
	adminRole = obj{"role_name": "admin", "display_name": "管理者"}
)

// annIn is ann as the tenant of the scenario shows her, with envs.
func annIn(e *env, envs ...any) obj {
	if envs == nil {
		envs = []any{}
	}
	return obj{"id": e.x["user"], "tenant_id": e.x["tenant"], "tenant_name": "acme", "email": "ann@example.com",
		"sign_in_id": "", "attributes": obj{"nickname": "Annie"}, "envs": envs}
}

// annsRoles are the envs of withRoles: by env id, roles in creation order.
var annsRoles = []any{
	obj{"id": float64(1), "name": "dev", "display_name": "開発環境", "roles": []any{userRole}},
	obj{"id": float64(3), "name": "prod", "display_name": "Production", "roles": []any{userRole, adminRole}},
}

func memberOf(t *testing.T, e *env) obj {
	return e.c.Do(t, "GET", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["user"], nil).Want(t, 200).JSON(t)
}

var memberScenarios = []scenario{
	{name: "tenant users/create by email", op: "CreateTenantUser",
		setup:  func(t *testing.T, e *env) { withUser(t, e); withTenant(t, e) },
		method: "POST", path: "/tenants/{tenant}/users", body: apitest.Static(obj{"email": "ANN@example.com", "attributes": obj{}}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			want := obj{"id": e.x["user"], "tenant_id": e.x["tenant"], "tenant_name": "acme", "email": "ann@example.com",
				"sign_in_id": "", "attributes": obj{}, "envs": []any{}}
			apitest.WantJSONEqual(t, "body", r.JSON(t), want)
			apitest.WantJSONEqual(t, "GET of the member", memberOf(t, e), want)
		}},
	{name: "tenant users/create by sign-in id, with attributes", op: "CreateTenantUser",
		setup: func(t *testing.T, e *env) {
			withTenant(t, e)
			e.x["user"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
			e.c.Do(t, "POST", A+"/user-attributes", attributeBody("level", "number")).Want(t, 201)
		},
		method: "POST", path: "/tenants/{tenant}/users", body: apitest.Static(obj{"sign_in_id": "Bob", "attributes": obj{"level": 12.5}}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "member", r.JSON(t), obj{"id": e.x["user"], "sign_in_id": "bob", "email": "", "attributes": obj{"level": 12.5}})
		}},
	{name: "tenant users/list", op: "GetTenantUsers", setup: withRoles, method: "GET", path: "/tenants/{tenant}/users", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"users": []any{annIn(e, annsRoles...)}})
		}},
	{name: "tenant users/list/unknown tenant", op: "GetTenantUsers", method: "GET", path: "/tenants/nowhere/users", status: 404},
	{name: "tenant users/get", op: "GetTenantUser", setup: withRoles, method: "GET", path: "/tenants/{tenant}/users/{user}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), annIn(e, annsRoles...))
			e.other(t).Do(t, "GET", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["user"], nil).WantError(t, 404, "not_found")
		}},
	{name: "tenant users/get/not a member", op: "GetTenantUser",
		setup:  func(t *testing.T, e *env) { withUser(t, e); withTenant(t, e) },
		method: "GET", path: "/tenants/{tenant}/users/{user}", status: 404},
	{name: "tenant users/update merges attributes", op: "UpdateTenantUser",
		setup: func(t *testing.T, e *env) {
			withMember(t, e)
			e.c.Do(t, "POST", A+"/user-attributes", attributeBody("team", "string")).Want(t, 201)
			e.c.OKEmpty(t, "PATCH", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["user"], obj{"attributes": obj{"team": "red"}})
		},
		method: "PATCH", path: "/tenants/{tenant}/users/{user}", body: apitest.Static(obj{"attributes": obj{"nickname": nil}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "attributes", memberOf(t, e)["attributes"], obj{"team": "red"})
		}},
	{name: "tenant users/update/not a member", op: "UpdateTenantUser", setup: withUser,
		method: "PATCH", path: "/tenants/nowhere/users/{user}", body: apitest.Static(obj{"attributes": obj{}}), status: 404},
	{name: "tenant users/delete", op: "DeleteTenantUser", setup: withRoles, method: "DELETE", path: "/tenants/{tenant}/users/{user}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			e.c.Do(t, "GET", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["user"], nil).WantError(t, 404, "not_found")
			e.c.Do(t, "GET", A+"/users/"+e.x["user"], nil).Want(t, 200) // still a user of the SaaS
			// Joining again starts afresh: no roles, the attributes given.
			r = e.c.Do(t, "POST", A+"/tenants/"+e.x["tenant"]+"/users", obj{"email": "ann@example.com", "attributes": obj{}}).Want(t, 201)
			apitest.WantFields(t, "member again", r.JSON(t), obj{"envs": []any{}, "attributes": obj{}})
		}},
	{name: "tenant users/delete/not a member", op: "DeleteTenantUser",
		setup:  func(t *testing.T, e *env) { withUser(t, e); withTenant(t, e) },
		method: "DELETE", path: "/tenants/{tenant}/users/{user}", status: 404},
	{name: "tenant users/roles/grant keeps what is held", op: "CreateTenantUserRoles", setup: withRoles,
		method: "POST", path: "/tenants/{tenant}/users/{user}/envs/3/roles", body: apitest.Static(obj{"role_names": []string{"admin", "admin"}}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "envs", memberOf(t, e)["envs"], annsRoles)
		}},
	{name: "tenant users/roles/grant in a new env", op: "CreateTenantUserRoles", setup: withMember,
		method: "POST", path: "/tenants/{tenant}/users/{user}/envs/2/roles", body: apitest.Static(obj{"role_names": []string{"admin"}}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "envs", memberOf(t, e)["envs"], []any{
				obj{"id": float64(2), "name": "stg", "display_name": "Staging", "roles": []any{adminRole}}})
		}},
	{name: "tenant users/roles/unknown env", op: "CreateTenantUserRoles", setup: withMember,
		method: "POST", path: "/tenants/{tenant}/users/{user}/envs/99/roles", body: apitest.Static(obj{"role_names": []string{"admin"}}), status: 404},
	{name: "tenant users/roles/revoke", op: "DeleteTenantUserRole", setup: withRoles,
		method: "DELETE", path: "/tenants/{tenant}/users/{user}/envs/1/roles/user", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "envs", memberOf(t, e)["envs"], annsRoles[1:])
			e.c.Do(t, "DELETE", A+"/tenants/"+e.x["tenant"]+"/users/"+e.x["user"]+"/envs/1/roles/user", nil).WantError(t, 404, "not_found")
		}},
	{name: "tenant users/roles/revoke one not held", op: "DeleteTenantUserRole", setup: withMember,
		method: "DELETE", path: "/tenants/{tenant}/users/{user}/envs/3/roles/admin", status: 404},
	{name: "tenant users/all", op: "GetAllTenantUsers",
		setup: func(t *testing.T, e *env) {
			withRoles(t, e)
			e.x["other tenant"] = newTenant(t, e.c, "globex")
			e.c.Do(t, "POST", A+"/tenants/"+e.x["other tenant"]+"/users", obj{"email": "ann@example.com", "attributes": obj{}}).Want(t, 201)
		},
		method: "GET", path: "/tenants/all/users", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"users": []any{annIn(e, annsRoles...),
				obj{"id": e.x["user"], "tenant_id": e.x["other tenant"], "tenant_name": "globex", "email": "ann@example.com",
					"sign_in_id": "", "attributes": obj{}, "envs": []any{}}}})
			apitest.WantJSONEqual(t, "GET /tenants/all/users/{user}", get(t, e.c, A+"/tenants/all/users/"+e.x["user"]), r.JSON(t))
		}},
	{name: "tenant users/all/of a user in no tenant", op: "GetAllTenantUser", setup: withUser,
		method: "GET", path: "/tenants/all/users/{user}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"users": []any{}})
		}},
	{name: "tenant users/all/of an unknown user", op: "GetAllTenantUser", method: "GET", path: "/tenants/all/users/nobody", status: 404},
	{name: "tenant users/search", op: "SearchTenantUsers", setup: withRoles,
		method: "GET", path: "/tenants/all/users/search?email=AN&env_id=1&role_id=user", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"users": []any{annIn(e, annsRoles...)}})
			for _, q := range []string{"email=bo", "env_id=2", "role_id=admin&env_id=1", "tenant_id=nowhere", "sign_in_id=a", "id=nobody"} {
				apitest.WantJSONEqual(t, q, get(t, e.c, A+"/tenants/all/users/search?"+q), obj{"users": []any{}})
			}
		}},
	{name: "tenant users/search/bad limit", op: "SearchTenantUsers", method: "GET", path: "/tenants/all/users/search?limit=101", status: 400},
	{name: "userinfo/with tenants, envs and roles", op: "GetUserInfo",
		setup: func(t *testing.T, e *env) {
			withRoles(t, e)
			catalog(t, e)
			e.x["tenant"] = e.x["ann's tenant"]
			putPlan(t, e.c, e.x["tenant"], obj{"next_plan_id": e.x["basic"]})
			e.c.OKEmpty(t, "PATCH", A+"/users/"+e.x["user"]+"/attributes", obj{"attributes": obj{"birthday": "1990-04-01"}})
			e.x["token"] = url.QueryEscape(signIn(t, e, "user").IDToken)
		}, method: "GET", path: "/userinfo?token={token}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), annInfo(e, true))
		}},
	{name: "userinfo/by email", op: "GetUserInfoByEmail", setup: withRoles, method: "GET", path: "/userinfo/search/email?email=Ann%40Example.com", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), annInfo(e, false))
		}},
	{name: "userinfo/by email/unknown", op: "GetUserInfoByEmail", setup: withUser, method: "GET", path: "/userinfo/search/email?email=bob%40example.com", status: 404},
	{name: "userinfo/by sign-in id", op: "GetUserInfoBySignInId",
		setup: func(t *testing.T, e *env) {
			e.x["user"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
		}, method: "GET", path: "/userinfo/search/sign-in-id?sign_in_id=BOB", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"id": e.x["user"], "email": "", "sign_in_id": "bob", "user_attribute": obj{}, "tenants": []any{}})
		}},
	{name: "userinfo/by sign-in id/unknown", op: "GetUserInfoBySignInId", method: "GET", path: "/userinfo/search/sign-in-id?sign_in_id=bob", status: 404},
	{name: "users/attributes merge", op: "UpdateSaasUserAttributes",
		setup: func(t *testing.T, e *env) {
			withMember(t, e)
			e.c.Do(t, "POST", A+"/saas-user-attributes", attributeBody("vip", "bool")).Want(t, 201)
			e.c.OKEmpty(t, "PATCH", A+"/users/"+e.x["user"]+"/attributes", obj{"attributes": obj{"vip": true}})
		},
		method: "PATCH", path: "/users/{user}/attributes", body: apitest.Static(obj{"attributes": obj{"birthday": "1990-04-01"}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "attributes", get(t, e.c, A+"/users/"+e.x["user"])["attributes"], obj{"vip": true, "birthday": "1990-04-01"})
		}},
	{name: "users/attributes/unknown user", op: "UpdateSaasUserAttributes", method: "PATCH", path: "/users/nobody/attributes",
		body: apitest.Static(obj{"attributes": obj{}}), status: 404},
	{name: "user attributes/list", op: "GetUserAttributes", setup: withMember, method: "GET", path: "/user-attributes", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"user_attributes": []any{attributeBody("nickname", "string")}})
		}},
	{name: "user attributes/create", op: "CreateUserAttribute", method: "POST", path: "/user-attributes",
		body: apitest.Static(attributeBody("nickname", "string")), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), attributeBody("nickname", "string"))
		}},
	{name: "user attributes/create SaaS-wide", op: "CreateSaasUserAttribute", method: "POST", path: "/saas-user-attributes",
		body: apitest.Static(attributeBody("birthday", "date")), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), attributeBody("birthday", "date"))
			apitest.WantJSONEqual(t, "GET /user-attributes (per tenant only)", get(t, e.c, A+"/user-attributes"), obj{"user_attributes": []any{}})
		}},
	{name: "user attributes/delete takes the values", op: "DeleteUserAttribute", setup: withMember,
		method: "DELETE", path: "/user-attributes/nickname", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "attributes", memberOf(t, e)["attributes"], obj{})
		}},
	{name: "user attributes/delete/unknown", op: "DeleteUserAttribute", method: "DELETE", path: "/user-attributes/nickname", status: 404},
}

// annInfo is ann's userinfo after withRoles; onPlan adds the tenant's
// plan and the SaaS-wide birthday.
func annInfo(e *env, onPlan bool) obj {
	tn := obj{"id": e.x["tenant"], "name": "acme", "completed_sign_up": true, "envs": annsRoles,
		"user_attribute": obj{"nickname": "Annie"}, "back_office_staff_email": "staff@example.com"}
	attrs := obj{}
	if onPlan {
		tn["plan_id"] = e.x["basic"]
		attrs["birthday"] = "1990-04-01"
	}
	return obj{"id": e.x["user"], "email": "ann@example.com", "sign_in_id": "", "user_attribute": attrs, "tenants": []any{tn}}
}
