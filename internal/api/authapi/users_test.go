package authapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
)

// The users of the SaaS's user pool, and userinfo.

func init() { scenarios = append(scenarios, userScenarios...) }

const goodPassword = "Sup3r-secret"

// withUser creates the email user ann (key user).
func withUser(t *testing.T, e *env) {
	t.Helper()
	r := e.c.Do(t, "POST", A+"/users", obj{"email": "ann@example.com", "password": goodPassword}).Want(t, 201)
	e.x["user"] = r.JSON(t)["id"].(string)
}

// signIn opens a session for the user under key and returns its tokens,
// as the end of a sign-in does.
func signIn(t *testing.T, e *env, key string) identity.Tokens {
	t.Helper()
	tok, err := e.c.Server.Identity.StartSession(t.Context(), e.c.SaaSID, e.x[key])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func userInfoPath(token string) string { return "/userinfo?token=" + url.QueryEscape(token) }

var userScenarios = []scenario{
	{name: "users/list/empty", op: "GetSaasUsers", method: "GET", path: "/users", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"users": []any{}})
		}},
	{name: "users/create/email", op: "CreateSaasUser", method: "POST", path: "/users",
		body: apitest.Static(obj{"email": "ann@example.com", "password": goodPassword}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			u := r.JSON(t)
			apitest.WantFields(t, "user", u, obj{"email": "ann@example.com", "sign_in_id": "", "attributes": obj{}})
			apitest.WantAbsent(t, "user (no password was generated)", u, "password")
			apitest.WantJSONEqual(t, "GET /users", e.c.Do(t, "GET", A+"/users", nil).Want(t, 200).JSON(t), obj{"users": []any{
				obj{"id": u["id"], "email": "ann@example.com", "sign_in_id": "", "attributes": obj{}}}})
		}},
	{name: "users/create/sign-in id, generated password", op: "CreateSaasUser", method: "POST", path: "/users",
		body: apitest.Static(obj{"sign_in_id": "user12345"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			u := r.JSON(t)
			pw, _ := u["password"].(string)
			if identity.DefaultPasswordPolicy.Check("password", pw) != nil {
				t.Errorf("generated password %q does not meet the policy", pw)
			}
			apitest.WantFields(t, "user", u, obj{"email": "", "sign_in_id": "user12345"})
			apitest.WantAbsent(t, "GET of the user (the password is shown once)", e.c.Do(t, "GET", A+"/users/"+u["id"].(string), nil).Want(t, 200).JSON(t), "password")
		}},
	{name: "users/get", op: "GetSaasUser", setup: withUser, method: "GET", path: "/users/{user}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"id": e.x["user"], "email": "ann@example.com", "sign_in_id": "", "attributes": obj{}})
			e.other(t).Do(t, "GET", A+"/users/"+e.x["user"], nil).WantError(t, 404, "not_found")
		}},
	{name: "users/get/unknown", op: "GetSaasUser", method: "GET", path: "/users/nobody", status: 404},
	{name: "users/delete", op: "DeleteSaasUser", setup: withUser, method: "DELETE", path: "/users/{user}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"id": e.x["user"], "email": "ann@example.com", "sign_in_id": "",
				"user_attribute": obj{}, "tenants": []any{}})
			e.c.Do(t, "GET", A+"/users/"+e.x["user"], nil).WantError(t, 404, "not_found")
		}},
	{name: "users/delete/unknown", op: "DeleteSaasUser", method: "DELETE", path: "/users/nobody", status: 404},
	{name: "users/password", op: "UpdateSaasUserPassword", setup: withUser, method: "PATCH", path: "/users/{user}/password",
		body: apitest.Static(obj{"password": "An0ther-secret"}), status: 200},
	{name: "users/password/unknown user", op: "UpdateSaasUserPassword", method: "PATCH", path: "/users/nobody/password",
		body: apitest.Static(obj{"password": "An0ther-secret"}), status: 404},
	{name: "userinfo", op: "GetUserInfo",
		setup: func(t *testing.T, e *env) {
			withUser(t, e)
			e.x["token"] = url.QueryEscape(signIn(t, e, "user").IDToken)
		}, method: "GET", path: "/userinfo?token={token}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"id": e.x["user"], "email": "ann@example.com", "sign_in_id": "",
				"user_attribute": obj{}, "tenants": []any{}})
		}},
	{name: "userinfo/forged", op: "GetUserInfo", method: "GET", path: "/userinfo?token=eyJhbGciOiJub25lIn0.e30.", status: 401},
}

// TestUserInfoRefusesEveryBadToken: userinfo answers 401 invalid_token,
// in the SaaSus error body, for every token that is not a live ID token
// of the calling SaaS, so that the SDK middleware refuses the request.
func TestUserInfoRefusesEveryBadToken(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		withUser(t, e)
		live := signIn(t, e, "user")
		e.c.Do(t, "GET", A+userInfoPath(live.IDToken), nil).Want(t, 200)

		parts := strings.Split(live.IDToken, ".")
		other := e.other(t)
		r := other.Do(t, "POST", A+"/users", obj{"email": "zed@example.com", "password": goodPassword}).Want(t, 201)
		otherTok, err := e.c.Server.Identity.StartSession(t.Context(), other.SaaSID, r.JSON(t)["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{
			"empty":                "",
			"garbage":              "not-a-token",
			"alg none":             "eyJhbGciOiJub25lIn0." + parts[1] + ".",
			"signature of another": parts[0] + "." + parts[1] + "." + strings.Split(live.AccessToken, ".")[2],
			"an access token":      live.AccessToken,
			"another SaaS's token": otherTok.IDToken,
			"a refresh token":      live.RefreshToken,
		} {
			t.Run(name, func(t *testing.T) {
				e.c.Do(t, "GET", A+userInfoPath(tok), nil).WantError(t, 401, "invalid_token")
			})
		}
		// Revoked: a password change ends the session.
		e.c.OKEmpty(t, "PATCH", A+"/users/"+e.x["user"]+"/password", obj{"password": "An0ther-secret"})
		e.c.Do(t, "GET", A+userInfoPath(live.IDToken), nil).WantError(t, 401, "invalid_token")
		// Expired.
		later := signIn(t, e, "user")
		e.clk.Add(time.Hour + time.Second)
		e.c.Do(t, "GET", A+userInfoPath(later.IDToken), nil).WantError(t, 401, "invalid_token")
		// The user deleted.
		e.clk.Add(-time.Hour)
		gone := signIn(t, e, "user")
		e.c.Do(t, "GET", A+userInfoPath(gone.IDToken), nil).Want(t, 200)
		e.c.Do(t, "DELETE", A+"/users/"+e.x["user"], nil).Want(t, 200)
		e.c.Do(t, "GET", A+userInfoPath(gone.IDToken), nil).WantError(t, 401, "invalid_token")
	})
}

// TestUsersBadInput: malformed or conflicting user requests get a 400
// naming the field.
func TestUsersBadInput(t *testing.T) {
	t.Parallel()
	runOutcomes(t, []outcome{
		invalid("neither email nor sign-in id", nil, "POST", "/users", obj{"password": goodPassword}, "email", "sign_in_id"),
		invalid("both", nil, "POST", "/users", obj{"email": "a@example.com", "sign_in_id": "a", "password": goodPassword}, "email", "sign_in_id"),
		invalid("weak password", nil, "POST", "/users", obj{"email": "a@example.com", "password": "password1"}, "password"),
		invalid("bad email", nil, "POST", "/users", obj{"email": "not an email", "password": goodPassword}, "email"),
		invalid("sign-in id too long", nil, "POST", "/users", obj{"sign_in_id": strings.Repeat("a", 51)}, "sign_in_id"),
		invalid("sign-in id with a space", nil, "POST", "/users", obj{"sign_in_id": "a b"}, "sign_in_id"),
		invalid("password not text", nil, "POST", "/users", obj{"email": "a@example.com", "password": 12345678}, "password"),
		{name: "email taken in other case", setup: withUser, method: "POST", path: "/users",
			body: apitest.Static(obj{"email": "ANN@example.com", "password": goodPassword}), status: 400, typ: "duplicate_name", fields: []string{"email"}},
		invalidFor("weak new password", withUser, "PATCH", "/users/{user}/password", apitest.Static(obj{"password": "short"}), "password"),
		invalidFor("no new password", withUser, "PATCH", "/users/{user}/password", apitest.Static(obj{}), "password"),
	})
}

func init() { scenarios = append(scenarios, passwordScenarios...) }

// mailTo reads the SaaS's latest message to addr through /v1/mail.
func mailTo(t *testing.T, e *env, addr string) obj {
	t.Helper()
	for _, m := range get(t, e.c, "/v1/mail/messages")["messages"].([]any) {
		if m.(obj)["to"] == addr {
			return m.(obj)
		}
	}
	t.Fatalf("no mail to %s", addr)
	return nil
}

var passwordScenarios = []scenario{
	{name: "users/create/email, temporary password mailed", op: "CreateSaasUser", method: "POST", path: "/users",
		body: apitest.Static(obj{"email": "bea@example.com"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantAbsent(t, "user (the password goes by mail)", r.JSON(t), "password")
			m := mailTo(t, e, "bea@example.com")
			apitest.WantFields(t, "mail", m, obj{"purpose": "temporary_password", "status": "queued", "from": "no-reply@saasplane.test"})
			if !strings.Contains(m["subject"].(string), "temporary password") || !strings.Contains(m["text"].(string), "/sign-in") {
				t.Errorf("mail %v", m)
			}
		}},
	{name: "users/password/reset, mailed", op: "ResetSaasUserPassword", setup: withUser, method: "POST", path: "/users/{user}/password/reset", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{})
			apitest.WantFields(t, "mail", mailTo(t, e, "ann@example.com"), obj{"purpose": "password_reset"})
		}},
	{name: "users/password/reset, sign-in id user", op: "ResetSaasUserPassword",
		setup: func(t *testing.T, e *env) {
			e.x["user"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
		}, method: "POST", path: "/users/{user}/password/reset", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if pw, _ := r.JSON(t)["password"].(string); identity.DefaultPasswordPolicy.Check("password", pw) != nil {
				t.Errorf("reset answered %v, want the temporary password", r.JSON(t))
			}
		}},
	{name: "users/password/reset, unknown user", op: "ResetSaasUserPassword", method: "POST", path: "/users/nobody/password/reset", status: 404},
	{name: "users/password/temporary", op: "UpdateSaasUserPassword", setup: withUser, method: "PATCH", path: "/users/{user}/password",
		body: apitest.Static(obj{"password": "Tempor4ry!", "temporary": true}), status: 200},
	{name: "sign-up", op: "SignUp", method: "POST", path: "/sign-up", body: apitest.Static(obj{"email": "cy@example.com"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "user", r.JSON(t), obj{"email": "cy@example.com", "sign_in_id": "", "attributes": obj{}})
			apitest.WantFields(t, "mail", mailTo(t, e, "cy@example.com"), obj{"purpose": "temporary_password"})
		}},
	{name: "sign-up/taken", op: "SignUp", setup: withUser, method: "POST", path: "/sign-up", body: apitest.Static(obj{"email": "ANN@example.com"}), status: 400},
	{name: "sign-up/resend", op: "ResendSignUpConfirmationEmail",
		setup: func(t *testing.T, e *env) {
			e.c.Do(t, "POST", A+"/sign-up", obj{"email": "cy@example.com"}).Want(t, 201)
		}, method: "POST", path: "/sign-up/resend", body: apitest.Static(obj{"email": "cy@example.com"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			ms := get(t, e.c, "/v1/mail/messages")["messages"].([]any)
			if len(ms) != 2 || ms[0].(obj)["text"] == ms[1].(obj)["text"] {
				t.Errorf("after a resend: %d messages, want 2 with different passwords", len(ms))
			}
		}},
	{name: "sign-up/resend, password chosen", op: "ResendSignUpConfirmationEmail", setup: withUser, method: "POST", path: "/sign-up/resend",
		body: apitest.Static(obj{"email": "ann@example.com"}), status: 409},
	{name: "sign-up/resend, unknown", op: "ResendSignUpConfirmationEmail", method: "POST", path: "/sign-up/resend",
		body: apitest.Static(obj{"email": "zed@example.com"}), status: 404},
}
