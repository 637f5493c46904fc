package authapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
)

// refreshes reports whether a refresh token still renews its session.
func refreshes(t *testing.T, e *env, tok identity.Tokens) bool {
	t.Helper()
	r := e.c.Do(t, "GET", A+"/credentials?auth-flow=refreshTokenAuth&refresh-token="+url.QueryEscape(tok.RefreshToken), nil)
	switch r.Status {
	case 200:
		return true
	case 401:
		return false
	}
	t.Fatalf("refresh: %s", r)
	return false
}

func join(t *testing.T, e *env, tenantID, email string) {
	t.Helper()
	e.c.Do(t, "POST", A+"/tenants/"+tenantID+"/users", obj{"email": email, "attributes": obj{}}).Want(t, 201)
}

func newUser(t *testing.T, e *env, email string) string {
	t.Helper()
	return e.c.Do(t, "POST", A+"/users", obj{"email": email, "password": goodPassword}).Want(t, 201).JSON(t)["id"].(string)
}

// TestLeavingTheLastTenantEndsSessions: removal from one tenant of
// several leaves a user's sessions alone; removal from the last, by
// DELETE of the membership or of the tenant, ends them, so refresh
// tokens and ID tokens stop working at once.
func TestLeavingTheLastTenantEndsSessions(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		withUser(t, e)
		acme, globex := newTenant(t, e.c, "acme"), newTenant(t, e.c, "globex")
		join(t, e, acme, "ann@example.com")
		join(t, e, globex, "ann@example.com")
		ann := signIn(t, e, "user")

		e.c.OKEmpty(t, "DELETE", A+"/tenants/"+acme+"/users/"+e.x["user"], nil)
		if !refreshes(t, e, ann) {
			t.Fatal("leaving one of two tenants ended the session")
		}
		e.c.OKEmpty(t, "DELETE", A+"/tenants/"+globex+"/users/"+e.x["user"], nil)
		if refreshes(t, e, ann) {
			t.Error("leaving the last tenant kept the refresh token working")
		}
		e.c.Do(t, "GET", A+userInfoPath(ann.IDToken), nil).WantError(t, 401, "invalid_token")

		// Deleting a tenant: bob belonged only to it, carol also to globex.
		e.x["bob"], e.x["carol"] = newUser(t, e, "bob@example.com"), newUser(t, e, "carol@example.com")
		initech := newTenant(t, e.c, "initech")
		join(t, e, initech, "bob@example.com")
		join(t, e, initech, "carol@example.com")
		join(t, e, globex, "carol@example.com")
		bob, carol := signIn(t, e, "bob"), signIn(t, e, "carol")
		e.c.OKEmpty(t, "DELETE", A+"/tenants/"+initech, nil)
		if refreshes(t, e, bob) {
			t.Error("deleting bob's only tenant kept his session")
		}
		if !refreshes(t, e, carol) {
			t.Error("deleting one of carol's tenants ended her session")
		}
		all := get(t, e.c, A+"/tenants/all/users")["users"].([]any)
		if len(all) != 1 || all[0].(obj)["tenant_id"] != globex || all[0].(obj)["id"] != e.x["carol"] {
			t.Errorf("memberships after the tenant's deletion = %s, want carol's in globex", apitest.CanonJSON(all))
		}
		info := e.c.Do(t, "GET", A+userInfoPath(carol.IDToken), nil).Want(t, 200).JSON(t)
		if ts := info["tenants"].([]any); len(ts) != 1 || ts[0].(obj)["id"] != globex {
			t.Errorf("carol's userinfo tenants = %s, want globex only", apitest.CanonJSON(ts))
		}
	})
}

// TestDeletionsCascade: deleting an env or a role takes it from every
// member; deleting a user takes their memberships, and answers them.
func TestDeletionsCascade(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		withRoles(t, e)
		e.c.OKEmpty(t, "DELETE", A+"/envs/1", nil)
		apitest.WantJSONEqual(t, "envs after deleting env 1", memberOf(t, e)["envs"], annsRoles[1:])
		e.c.OKEmpty(t, "DELETE", A+"/roles/user", nil)
		apitest.WantJSONEqual(t, "envs after deleting role user", memberOf(t, e)["envs"], []any{
			obj{"id": float64(3), "name": "prod", "display_name": "Production", "roles": []any{adminRole}}})
		// The env and role can be made again, and are not held by anyone.
		e.c.Do(t, "POST", A+"/envs", obj{"id": 1, "name": "dev"}).Want(t, 201)
		e.c.Do(t, "POST", A+"/roles", obj{"role_name": "user", "display_name": "User"}).Want(t, 201)
		apitest.WantJSONEqual(t, "envs after recreating", memberOf(t, e)["envs"], []any{
			obj{"id": float64(3), "name": "prod", "display_name": "Production", "roles": []any{adminRole}}})

		r := e.c.Do(t, "DELETE", A+"/users/"+e.x["user"], nil).Want(t, 200).JSON(t)
		if ts := r["tenants"].([]any); len(ts) != 1 || ts[0].(obj)["id"] != e.x["tenant"] {
			t.Errorf("DELETE /users answered tenants %s, want the user's one", apitest.CanonJSON(ts))
		}
		apitest.WantJSONEqual(t, "tenant users after deleting the user", get(t, e.c, A+"/tenants/"+e.x["tenant"]+"/users"), obj{"users": []any{}})
	})
}

// TestSearchPages: a search reads every match once, a page at a time,
// each with all its roles (the limit counts users, not roles), and only
// the last page has no cursor.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		withTenant(t, e)
		withEnvsAndRoles(t, e)
		other := newTenant(t, e.c, "globex")
		var want []string
		for i := range 5 {
			email := fmt.Sprintf("user%d@example.com", i)
			id := newUser(t, e, email)
			join(t, e, e.x["tenant"], email)
			e.c.Do(t, "POST", A+"/tenants/"+e.x["tenant"]+"/users/"+id+"/envs/3/roles", obj{"role_names": []string{"user", "admin"}}).Want(t, 201)
			want = append(want, id)
			if i == 2 {
				join(t, e, other, email) // not in the tenant searched
			}
		}
		var got []string
		cursor, pages := "", 0
		for {
			q := "/tenants/all/users/search?limit=2&tenant_id=" + e.x["tenant"]
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			page := e.c.Call(t, "SearchTenantUsers", "GET", A+q, nil, 200).JSON(t)
			pages++
			for _, u := range page["users"].([]any) {
				got = append(got, u.(obj)["id"].(string))
				apitest.WantJSONEqual(t, "roles of "+u.(obj)["email"].(string), u.(obj)["envs"], []any{
					obj{"id": float64(3), "name": "prod", "display_name": "Production", "roles": []any{userRole, adminRole}}})
			}
			c, more := page["cursor"].(string)
			if !more {
				break
			}
			if pages > 5 {
				t.Fatal("the search does not end")
			}
			cursor = c
		}
		if strings.Join(got, ",") != strings.Join(want, ",") || pages != 3 {
			t.Errorf("%d pages of %v, want 3 pages of %v", pages, got, want)
		}
	})
}

// TestMembersBadInput: every malformed membership, role or user
// attribute request gets a 400 naming the field, and changes nothing.
func TestMembersBadInput(t *testing.T) {
	t.Parallel()
	member := "/tenants/{tenant}/users"
	roles := "/tenants/{tenant}/users/{user}/envs/3/roles"
	withMemberAndDup := func(t *testing.T, e *env) {
		withMember(t, e)
		e.c.Do(t, "POST", A+"/roles", obj{"role_name": "user", "display_name": "User"})
	}
	runOutcomes(t, []outcome{
		invalidFor("member: neither email nor sign-in id", withMember, "POST", member, apitest.Static(obj{"attributes": obj{}}), "email"),
		invalidFor("member: both", withMember, "POST", member, apitest.Static(obj{"email": "a@example.com", "sign_in_id": "a", "attributes": obj{}}), "email"),
		invalidFor("member: no attributes", withMember, "POST", member, apitest.Static(obj{"email": "ann@example.com"}), "attributes"),
		invalidFor("member: attributes not an object", withMember, "POST", member, apitest.Static(obj{"email": "ann@example.com", "attributes": "x"}), "attributes"),
		invalidFor("member: undeclared attribute", withMember, "POST", member, apitest.Static(obj{"email": "ann@example.com", "attributes": obj{"x": 1}}), "attributes.x"),
		{name: "member: unknown user", setup: withMember, method: "POST", path: member,
			body: apitest.Static(obj{"email": "bob@example.com", "attributes": obj{}}), status: 400, typ: "user_not_found", fields: []string{"email"}},
		{name: "member: already one", setup: withMember, method: "POST", path: member,
			body: apitest.Static(obj{"email": "ANN@example.com", "attributes": obj{}}), status: 400, typ: "duplicate_member", fields: []string{"email"}},
		{name: "member: unknown tenant", setup: withUser, method: "POST", path: "/tenants/nowhere/users",
			body: apitest.Static(obj{"email": "ann@example.com", "attributes": obj{}}), status: 404, typ: "not_found"},
		invalidFor("member: attribute of the wrong type", withMember, "PATCH", member+"/{user}", apitest.Static(obj{"attributes": obj{"nickname": 7}}), "attributes.nickname"),
		invalidFor("member: a SaaS-wide attribute", withMember, "PATCH", member+"/{user}", apitest.Static(obj{"attributes": obj{"birthday": "2000-01-01"}}), "attributes.birthday"),
		invalidFor("user: a per-tenant attribute", withMember, "PATCH", "/users/{user}/attributes", apitest.Static(obj{"attributes": obj{"nickname": "A"}}), "attributes.nickname"),
		invalidFor("user: a bad date", withMember, "PATCH", "/users/{user}/attributes", apitest.Static(obj{"attributes": obj{"birthday": "1990-13-01"}}), "attributes.birthday"),
		invalidFor("user: no attributes", withMember, "PATCH", "/users/{user}/attributes", apitest.Static(obj{}), "attributes"),
		invalidFor("roles: none given", withMember, "POST", roles, apitest.Static(obj{}), "role_names"),
		invalidFor("roles: unknown role", withMemberAndDup, "POST", roles, apitest.Static(obj{"role_names": []string{"user", "root"}}), "role_names[1]"),
		invalidFor("roles: too many", withMember, "POST", roles, apitest.Static(obj{"role_names": make([]string, 101)}), "role_names"),
		invalidFor("roles: env id not a number", withMember, "POST", "/tenants/{tenant}/users/{user}/envs/abc/roles", apitest.Static(obj{"role_names": []string{}}), "env_id"),
		invalid("search: bad cursor", nil, "GET", "/tenants/all/users/search?cursor=zz", nil, "cursor"),
		invalid("search: env id 0", nil, "GET", "/tenants/all/users/search?env_id=0", nil, "env_id"),
		invalid("search: limit not a number", nil, "GET", "/tenants/all/users/search?limit=ten", nil, "limit"),
		invalid("userinfo by email: none", nil, "GET", "/userinfo/search/email", nil, "email"),
		invalid("attribute: bad name", nil, "POST", "/user-attributes", attributeBody("1st", "string"), "attribute_name"),
		invalid("attribute: bad type", nil, "POST", "/saas-user-attributes", attributeBody("x", "money"), "attribute_type"),
		{name: "attribute: name taken by the other kind", setup: withMember, method: "POST", path: "/saas-user-attributes",
			body: apitest.Static(attributeBody("nickname", "string")), status: 400, typ: "duplicate_name", fields: []string{"attribute_name"}},
	})
}
