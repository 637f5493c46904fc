package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Changing a user's email or sign-in id.

func init() { scenarios = append(scenarios, loginScenarios...) }

// mailedCode reads the code out of the latest mail to addr.
func mailedCode(t *testing.T, e *env, addr string) string {
	t.Helper()
	for _, line := range strings.Split(mailTo(t, e, addr)["text"].(string), "\n") {
		if s := strings.TrimSpace(line); len(s) == 6 && strings.Trim(s, "0123456789") == "" {
			return s
		}
	}
	t.Fatalf("no code in the mail to %s", addr)
	return ""
}

// withEmailRequest is withSignedIn with ann asking to become ann2.
func withEmailRequest(t *testing.T, e *env) {
	t.Helper()
	withSignedIn(t, e)
	e.c.OKEmpty(t, "POST", A+"/users/"+e.x["user"]+"/email/request", obj{"email": "ann2@example.com", "access_token": e.x["access"]})
}

var loginScenarios = []scenario{
	{name: "users/email", op: "UpdateSaasUserEmail", setup: withUser, method: "PATCH", path: "/users/{user}/email",
		body: apitest.Static(obj{"email": "anne@example.com"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "user", get(t, e.c, A+"/users/"+e.x["user"]), obj{"email": "anne@example.com"})
		}},
	{name: "users/email, sign-in id user", op: "UpdateSaasUserEmail",
		setup: func(t *testing.T, e *env) {
			e.x["user"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
		}, method: "PATCH", path: "/users/{user}/email", body: apitest.Static(obj{"email": "bob@example.com"}), status: 400},
	{name: "users/email, taken", op: "UpdateSaasUserEmail",
		setup: func(t *testing.T, e *env) {
			withUser(t, e)
			e.c.Do(t, "POST", A+"/users", obj{"email": "cy@example.com", "password": goodPassword}).Want(t, 201)
		}, method: "PATCH", path: "/users/{user}/email", body: apitest.Static(obj{"email": "CY@example.com"}), status: 400},
	{name: "users/sign-in id", op: "UpdateSaasUserSignInId",
		setup: func(t *testing.T, e *env) {
			e.x["user"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
		}, method: "PATCH", path: "/users/{user}/sign-in-id", body: apitest.Static(obj{"sign_in_id": "robert"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "user", get(t, e.c, A+"/users/"+e.x["user"]), obj{"sign_in_id": "robert"})
		}},
	{name: "users/sign-in id, email user", op: "UpdateSaasUserSignInId", setup: withUser, method: "PATCH", path: "/users/{user}/sign-in-id",
		body: apitest.Static(obj{"sign_in_id": "ann"}), status: 400},
	{name: "users/email request", op: "RequestEmailUpdate", setup: withSignedIn, method: "POST", path: "/users/{user}/email/request",
		body: func(x ids) any { return obj{"email": "ann2@example.com", "access_token": x["access"]} }, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "mail", mailTo(t, e, "ann2@example.com"), obj{"purpose": "email_change"})
			apitest.WantFields(t, "user (unchanged until confirmed)", get(t, e.c, A+"/users/"+e.x["user"]), obj{"email": "ann@example.com"})
		}},
	{name: "users/email request, bad token", op: "RequestEmailUpdate", setup: withSignedIn, method: "POST", path: "/users/{user}/email/request",
		body: apitest.Static(obj{"email": "ann2@example.com", "access_token": "x"}), status: 401},
	{name: "users/email confirm", op: "ConfirmEmailUpdate",
		setup: func(t *testing.T, e *env) {
			withEmailRequest(t, e)
			e.x["code"] = mailedCode(t, e, "ann2@example.com")
		}, method: "POST", path: "/users/{user}/email/confirm",
		body: func(x ids) any { return obj{"code": x["code"], "access_token": x["access"]} }, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "user", get(t, e.c, A+"/users/"+e.x["user"]), obj{"email": "ann2@example.com"})
		}},
	{name: "users/email confirm, wrong code", op: "ConfirmEmailUpdate", setup: withEmailRequest, method: "POST", path: "/users/{user}/email/confirm",
		body: func(x ids) any { return obj{"code": "12345x", "access_token": x["access"]} }, status: 400,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "user", get(t, e.c, A+"/users/"+e.x["user"]), obj{"email": "ann@example.com"})
		}},
	{name: "users/email confirm, nothing pending", op: "ConfirmEmailUpdate", setup: withSignedIn, method: "POST", path: "/users/{user}/email/confirm",
		body: func(x ids) any { return obj{"code": "123456", "access_token": x["access"]} }, status: 409},
}
