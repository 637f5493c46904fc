package authapi_test

import (
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The second factor: an authenticator app registered with the user's
// access token, then turned on.

func init() { scenarios = append(scenarios, mfaScenarios...) }

// withSignedIn is withUser signed in (key access: the access token).
func withSignedIn(t *testing.T, e *env) {
	t.Helper()
	withUser(t, e)
	e.x["access"] = signIn(t, e, "user").AccessToken
}

// withSecret is withSignedIn with a secret handed out (key secret).
func withSecret(t *testing.T, e *env) {
	t.Helper()
	withSignedIn(t, e)
	r := e.c.Do(t, "POST", A+"/users/"+e.x["user"]+"/mfa/software-token/secret-code", obj{"access_token": e.x["access"]}).Want(t, 201)
	e.x["secret"] = r.JSON(t)["secret_code"].(string)
}

// withApp is withSecret confirmed.
func withApp(t *testing.T, e *env) {
	t.Helper()
	withSecret(t, e)
	code, _ := totp.GenerateCode(e.x["secret"], e.clk.Now())
	e.c.OKEmpty(t, "PUT", A+"/users/"+e.x["user"]+"/mfa/software-token", obj{"access_token": e.x["access"], "verification_code": code})
}

var mfaScenarios = []scenario{
	{name: "mfa/secret code", op: "CreateSecretCode", setup: withSignedIn, method: "POST", path: "/users/{user}/mfa/software-token/secret-code",
		body: func(x ids) any { return obj{"access_token": x["access"]} }, status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if s, _ := r.JSON(t)["secret_code"].(string); len(s) < 32 {
				t.Errorf("secret %q, want base32 of 20 bytes", s)
			}
		}},
	{name: "mfa/secret code, another user's token", op: "CreateSecretCode",
		setup: func(t *testing.T, e *env) {
			withSignedIn(t, e)
			e.x["other"] = e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
		}, method: "POST", path: "/users/{other}/mfa/software-token/secret-code",
		body: func(x ids) any { return obj{"access_token": x["access"]} }, status: 401},
	{name: "mfa/software token", op: "UpdateSoftwareToken", setup: withSecret, method: "PUT", path: "/users/{user}/mfa/software-token",
		body: func(x ids) any {
			code, _ := totp.GenerateCode(x["secret"], T0) // the scenario server's clock
			return obj{"access_token": x["access"], "verification_code": code}
		}, status: 200},
	{name: "mfa/software token, wrong code", op: "UpdateSoftwareToken", setup: withSecret, method: "PUT", path: "/users/{user}/mfa/software-token",
		body: func(x ids) any { return obj{"access_token": x["access"], "verification_code": "000000x"} }, status: 400},
	{name: "mfa/software token, no secret", op: "UpdateSoftwareToken", setup: withSignedIn, method: "PUT", path: "/users/{user}/mfa/software-token",
		body: func(x ids) any { return obj{"access_token": x["access"], "verification_code": "123456"} }, status: 409},
	{name: "mfa/preference, off", op: "GetUserMfaPreference", setup: withUser, method: "GET", path: "/users/{user}/mfa/preference", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"enabled": false})
		}},
	{name: "mfa/preference, on", op: "UpdateUserMfaPreference", setup: withApp, method: "PATCH", path: "/users/{user}/mfa/preference",
		body: apitest.Static(obj{"enabled": true, "method": "softwareToken"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "GET", get(t, e.c, A+"/users/"+e.x["user"]+"/mfa/preference"), obj{"enabled": true, "method": "softwareToken"})
		}},
	{name: "mfa/preference, on without an app", op: "UpdateUserMfaPreference", setup: withUser, method: "PATCH", path: "/users/{user}/mfa/preference",
		body: apitest.Static(obj{"enabled": true, "method": "softwareToken"}), status: 409},
	{name: "mfa/preference, by email", op: "UpdateUserMfaPreference", setup: withApp, method: "PATCH", path: "/users/{user}/mfa/preference",
		body: apitest.Static(obj{"enabled": true, "method": "email"}), status: 400},
	{name: "mfa/preference, unknown user", op: "GetUserMfaPreference", method: "GET", path: "/users/nobody/mfa/preference", status: 404},
}
