package authapi_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

func init() { scenarios = append(scenarios, credentialScenarios...) }

// withCode signs the user in and stores its tokens under a code (keys
// code, id token, access token, refresh token).
func withCode(t *testing.T, e *env) {
	t.Helper()
	withUser(t, e)
	tok := signIn(t, e, "user")
	e.x["id token"], e.x["access token"], e.x["refresh token"] = tok.IDToken, tok.AccessToken, tok.RefreshToken
	r := e.c.Do(t, "POST", A+"/credentials", obj{"id_token": tok.IDToken, "access_token": tok.AccessToken, "refresh_token": tok.RefreshToken}).Want(t, 201)
	e.x["code"] = r.JSON(t)["code"].(string)
}

var credentialScenarios = []scenario{
	{name: "credentials/create", op: "CreateAuthCredentials",
		setup: func(t *testing.T, e *env) {
			withUser(t, e)
			tok := signIn(t, e, "user")
			e.x["id token"], e.x["access token"] = tok.IDToken, tok.AccessToken
		}, method: "POST", path: "/credentials",
		body: func(x ids) any { return obj{"id_token": x["id token"], "access_token": x["access token"]} }, status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			code, _ := r.JSON(t)["code"].(string)
			got := e.c.Do(t, "GET", A+"/credentials?code="+url.QueryEscape(code), nil).Want(t, 200).JSON(t)
			apitest.WantJSONEqual(t, "tokens", got, obj{"id_token": e.x["id token"], "access_token": e.x["access token"]})
		}},
	{name: "credentials/create/forged id token", op: "CreateAuthCredentials", method: "POST", path: "/credentials",
		body: apitest.Static(obj{"id_token": "eyJhbGciOiJub25lIn0.e30.", "access_token": "x"}), status: 401},
	{name: "credentials/temp code, once", op: "GetAuthCredentials", setup: withCode, method: "GET",
		path: "/credentials?code={code}&auth-flow=tempCodeAuth", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "tokens", r.JSON(t), obj{"id_token": e.x["id token"], "access_token": e.x["access token"],
				"refresh_token": e.x["refresh token"]})
			e.c.Do(t, "GET", A+"/credentials?code="+e.x["code"], nil).WantError(t, 404, "not_found")
		}},
	{name: "credentials/temp code expired", op: "GetAuthCredentials",
		setup:  func(t *testing.T, e *env) { withCode(t, e); e.clk.Add(time.Minute) },
		method: "GET", path: "/credentials?code={code}", status: 404},
	{name: "credentials/unknown temp code", op: "GetAuthCredentials", method: "GET",
		path: "/credentials?code=0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8", status: 404},
	{name: "credentials/refresh", op: "GetAuthCredentials", setup: withCode, method: "GET",
		path: "/credentials?auth-flow=refreshTokenAuth&refresh-token={refresh token}", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			got := r.JSON(t)
			apitest.WantAbsent(t, "a refresh's answer", got, "refresh_token")
			e.c.Do(t, "GET", A+userInfoPath(got["id_token"].(string)), nil).Want(t, 200)
		}},
	{name: "credentials/refresh with a bad token", op: "GetAuthCredentials", method: "GET",
		path: "/credentials?auth-flow=refreshTokenAuth&refresh-token=nope", status: 401},
}

// TestCredentialsBadInput: missing parameters are 400, and a code of one
// SaaS is unknown to another.
func TestCredentialsBadInput(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		e.c.Do(t, "GET", A+"/credentials", nil).WantError(t, 400, "invalid_request", "code")
		e.c.Do(t, "POST", A+"/credentials", obj{"access_token": "x"}).WantError(t, 400, "invalid_request", "id_token")
		withCode(t, e)
		e.other(t).Do(t, "GET", A+"/credentials?code="+e.x["code"], nil).WantError(t, 404, "not_found")
		e.c.Do(t, "GET", A+"/credentials?code="+e.x["code"], nil).Want(t, 200) // still there for its own SaaS
	})
}
