package authapi_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/saasus"
)

// Signing in through the API: USER_SRP_AUTH with saasus.SRPSignIn as the
// app's side, then the challenges that follow the password.

func init() { scenarios = append(scenarios, signInScenarios...) }

// srpStart posts /sign-in for login with c's A and answers the challenge.
func srpStart(t *testing.T, e *env, c *saasus.SRPSignIn, login string) obj {
	t.Helper()
	return e.c.Do(t, "POST", A+"/sign-in", obj{"sign_in_flow": "USER_SRP_AUTH",
		"sign_in_parameters": obj{"USERNAME": login, "SRP_A": c.PublicA()}}).Want(t, 200).JSON(t)
}

// withProof is withUser with an SRP sign-in of ann started and its proof
// computed from password (keys session, answer: the request's JSON).
func withProof(password string) func(*testing.T, *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		if e.x["user"] == "" {
			withUser(t, e)
		}
		e.x["answer"] = proveSRP(t, e, "ann@example.com", password)
	}
}

// proveSRP starts an SRP sign-in of login and returns the JSON of the
// /sign-in/challenge request that proves password.
func proveSRP(t *testing.T, e *env, login, password string) string {
	t.Helper()
	c, err := saasus.NewSRPSignIn(e.c.SaaSID, password)
	if err != nil {
		t.Fatal(err)
	}
	start := srpStart(t, e, c, login)
	params := map[string]string{}
	for k, v := range start["challenge_parameters"].(map[string]any) {
		params[k] = v.(string)
	}
	resp, err := c.Answer(params, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(obj{"challenge_name": "PASSWORD_VERIFIER", "challenge_responses": resp, "session": start["session"]})
	return string(b)
}

// answer is the body a scenario sends: the JSON under key.
func answer(key string) func(ids) any { return func(x ids) any { return rawJSON(x[key]) } }

// wantCredentials checks an answer holds the three tokens, and that the
// ID token's user is ann.
func wantCredentials(t *testing.T, e *env, r *apitest.Response) {
	t.Helper()
	var body struct {
		Credentials struct {
			IDToken      string `json:"id_token"`
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		ChallengeName string `json:"challenge_name"`
	}
	r.Decode(t, &body)
	cr := body.Credentials
	if cr.IDToken == "" || cr.AccessToken == "" || cr.RefreshToken == "" || body.ChallengeName != "" {
		t.Fatalf("answer %s, want the three tokens and no challenge", r.Body)
	}
	info := get(t, e.c, A+userInfoPath(cr.IDToken))
	if info["id"] != e.x["user"] {
		t.Errorf("userinfo of the ID token: %v, want user %s", info, e.x["user"])
	}
}

// nextChallenge proves ann's password and checks the answer is challenge
// name; it keeps its session under key session.
func nextChallenge(t *testing.T, e *env, password, name string) {
	t.Helper()
	r := e.c.Do(t, "POST", A+"/sign-in/challenge", rawJSON(proveSRP(t, e, "ann@example.com", password))).Want(t, 200).JSON(t)
	if r["challenge_name"] != name {
		t.Fatalf("answer %v, want challenge %s", r, name)
	}
	if p := r["challenge_parameters"].(map[string]any); p["USER_ID_FOR_SRP"] != e.x["user"] {
		t.Errorf("challenge parameters %v, want USER_ID_FOR_SRP %s", p, e.x["user"])
	}
	e.x["session"] = r["session"].(string)
}

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func srpBody(login, a string) func(ids) any {
	return apitest.Static(obj{"sign_in_flow": "USER_SRP_AUTH", "sign_in_parameters": obj{"USERNAME": login, "SRP_A": a}})
}

var signInScenarios = []scenario{
	{name: "sign-in/srp, started", op: "SignIn", setup: withUser, method: "POST", path: "/sign-in",
		body: srpBody("ANN@example.com", "0a1b2c"), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			b := r.JSON(t)
			p, _ := b["challenge_parameters"].(map[string]any)
			if b["challenge_name"] != "PASSWORD_VERIFIER" || p["USER_ID_FOR_SRP"] != e.x["user"] || b["session"] == "" {
				t.Fatalf("answer %v, want PASSWORD_VERIFIER for ann's id with a session", b)
			}
			for _, k := range []string{"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME"} {
				if s, _ := p[k].(string); s == "" {
					t.Errorf("challenge_parameters lacks %s: %v", k, p)
				}
			}
		}},
	{name: "sign-in/srp, unknown login looks like a known one", op: "SignIn", method: "POST", path: "/sign-in",
		body: srpBody("nobody@example.com", "0a1b2c"), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			p := r.JSON(t)["challenge_parameters"].(map[string]any)
			id, _ := p["USER_ID_FOR_SRP"].(string)
			if !uuidShape.MatchString(id) {
				t.Errorf("USER_ID_FOR_SRP %q, want the shape of a user id", id)
			}
			again := e.c.Do(t, "POST", A+"/sign-in", srpBody("nobody@example.com", "0d0e")(nil)).Want(t, 200).JSON(t)["challenge_parameters"].(map[string]any)
			if again["SALT"] != p["SALT"] || again["USER_ID_FOR_SRP"] != id || again["SRP_B"] == p["SRP_B"] {
				t.Errorf("a second start: %v after %v; want the same salt and user id (as a real user's), a fresh B", again, p)
			}
		}},
	{name: "sign-in/srp, another flow", op: "SignIn", method: "POST", path: "/sign-in",
		body: apitest.Static(obj{"sign_in_flow": "USER_PASSWORD_AUTH", "sign_in_parameters": obj{"USERNAME": "ann", "PASSWORD": "x"}}), status: 400},
	{name: "sign-in/srp, A of 0", op: "SignIn", method: "POST", path: "/sign-in", body: srpBody("ann@example.com", "00"), status: 400},
	{name: "sign-in/challenge, right password", op: "RespondToSignInChallenge", setup: withProof(goodPassword),
		method: "POST", path: "/sign-in/challenge", body: answer("answer"), status: 200, check: wantCredentials},
	{name: "sign-in/challenge, wrong password", op: "RespondToSignInChallenge", setup: withProof(goodPassword + "x"),
		method: "POST", path: "/sign-in/challenge", body: answer("answer"), status: 401,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantType(t, r, "sign_in_failed") }},
	{name: "sign-in/challenge, unknown login", op: "RespondToSignInChallenge",
		setup:  func(t *testing.T, e *env) { e.x["answer"] = proveSRP(t, e, "nobody@example.com", goodPassword) },
		method: "POST", path: "/sign-in/challenge", body: answer("answer"), status: 401,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantType(t, r, "sign_in_failed") }},
	{name: "sign-in/challenge, proof sent twice", op: "RespondToSignInChallenge",
		setup: func(t *testing.T, e *env) {
			withProof(goodPassword)(t, e)
			e.c.Do(t, "POST", A+"/sign-in/challenge", rawJSON(e.x["answer"])).Want(t, 200)
		}, method: "POST", path: "/sign-in/challenge", body: answer("answer"), status: 401,
		check: func(t *testing.T, e *env, r *apitest.Response) { wantType(t, r, "invalid_session") }},
	{name: "sign-in/challenge, new password", op: "RespondToSignInChallenge",
		setup: func(t *testing.T, e *env) {
			withUser(t, e)
			e.c.OKEmpty(t, "PATCH", A+"/users/"+e.x["user"]+"/password", obj{"password": "Tempor4ry!", "temporary": true})
			nextChallenge(t, e, "Tempor4ry!", "NEW_PASSWORD_REQUIRED")
		}, method: "POST", path: "/sign-in/challenge",
		body: func(x ids) any {
			return obj{"challenge_name": "NEW_PASSWORD_REQUIRED", "session": x["session"],
				"challenge_responses": obj{"USERNAME": x["user"], "NEW_PASSWORD": "Brand-n3w-pass"}}
		}, status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantCredentials(t, e, r)
			// The new password's verifier is stored: it signs in at once.
			wantCredentials(t, e, e.c.Do(t, "POST", A+"/sign-in/challenge", rawJSON(proveSRP(t, e, "ann@example.com", "Brand-n3w-pass"))).Want(t, 200))
		}},
	{name: "sign-in/challenge, second factor", op: "RespondToSignInChallenge",
		setup: func(t *testing.T, e *env) {
			withApp(t, e)
			e.c.OKEmpty(t, "PATCH", A+"/users/"+e.x["user"]+"/mfa/preference", obj{"enabled": true, "method": "softwareToken"})
			e.clk.Add(time.Minute) // past the step the app was confirmed with
			nextChallenge(t, e, goodPassword, "SOFTWARE_TOKEN_MFA")
		}, method: "POST", path: "/sign-in/challenge",
		body: func(x ids) any { return obj{"challenge_name": "SOFTWARE_TOKEN_MFA", "session": x["session"]} }, status: 400,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			r.WantError(t, 400, "", "challenge_responses.SOFTWARE_TOKEN_MFA_CODE")
			code, _ := totp.GenerateCode(e.x["secret"], e.clk.Now())
			wantCredentials(t, e, e.c.Do(t, "POST", A+"/sign-in/challenge", obj{"challenge_name": "SOFTWARE_TOKEN_MFA", "session": e.x["session"],
				"challenge_responses": obj{"USERNAME": e.x["user"], "SOFTWARE_TOKEN_MFA_CODE": code}}).Want(t, 200))
		}},
	{name: "sign-in/challenge, app set up when the SaaS requires one", op: "RespondToSignInChallenge",
		setup: func(t *testing.T, e *env) {
			withUser(t, e)
			e.c.OKEmpty(t, "PUT", A+"/sign-in-settings", obj{"mfa_configuration": obj{"mfa_configuration": "on"}})
			r := e.c.Do(t, "POST", A+"/sign-in/challenge", rawJSON(proveSRP(t, e, "ann@example.com", goodPassword))).Want(t, 200).JSON(t)
			p, _ := r["challenge_parameters"].(map[string]any)
			if r["challenge_name"] != "MFA_SETUP" || p["SECRET_CODE"] == "" || !strings.HasPrefix(fmt.Sprint(p["OTPAUTH_URL"]), "otpauth://totp/") {
				t.Fatalf("answer %v, want MFA_SETUP with the secret and its URL", r)
			}
			e.x["session"], e.x["secret"] = r["session"].(string), p["SECRET_CODE"].(string)
		}, method: "POST", path: "/sign-in/challenge",
		body: func(x ids) any {
			return obj{"challenge_name": "MFA_SETUP", "session": x["session"], "challenge_responses": obj{"SOFTWARE_TOKEN_MFA_CODE": "000000"}}
		}, status: 401,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantType(t, r, "mfa_code_invalid")
			code, _ := totp.GenerateCode(e.x["secret"], e.clk.Now())
			wantCredentials(t, e, e.c.Do(t, "POST", A+"/sign-in/challenge", obj{"challenge_name": "MFA_SETUP", "session": e.x["session"],
				"challenge_responses": obj{"SOFTWARE_TOKEN_MFA_CODE": code}}).Want(t, 200))
			apitest.WantJSONEqual(t, "MFA preference", get(t, e.c, A+"/users/"+e.x["user"]+"/mfa/preference"), obj{"enabled": true, "method": "softwareToken"})
			// The next sign-in asks for the app's code.
			e.clk.Add(time.Minute)
			nextChallenge(t, e, goodPassword, "SOFTWARE_TOKEN_MFA")
		}},
	{name: "sign-in/challenge, a challenge saasplane never asks", op: "RespondToSignInChallenge", method: "POST", path: "/sign-in/challenge",
		body: apitest.Static(obj{"challenge_name": "SMS_MFA", "challenge_responses": obj{"SMS_MFA_CODE": "123456"}}), status: 400},
}
