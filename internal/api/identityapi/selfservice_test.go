package identityapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestSelfSignUpPage: the sign-up page is closed until the sign-in
// settings open it; then an address signs up, gets its temporary password
// by mail (a real SMTP server), signs in with it and chooses its own. The
// page answers the same for a new, an unconfirmed and a confirmed
// address; only the first two get mail.
func TestSelfSignUpPage(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, bk apitest.Backend) {
		c, smtp, b := mailedPages(t, bk)
		signUp, signIn := "/identity/"+c.SaaSID+"/sign-up", "/identity/"+c.SaaSID+"/sign-in"

		b.Do("GET", signUp, nil, nil).Want(t, 404, "Sign-up is not open")
		if p := b.Do("GET", signIn, nil, nil); strings.Contains(p.Body, "Create an account") {
			t.Errorf("the sign-in page links a closed sign-up page")
		}
		token := b.Do("GET", signIn, nil, nil).CSRF(t)
		b.Do("POST", signUp, url.Values{"csrf": {token}, "email": {"eve@example.com"}}, nil).Want(t, 404, "Sign-up is not open")

		c.OKEmpty(t, "PUT", "/v1/auth/sign-in-settings", map[string]any{"self_regist": map[string]any{"enable": true}})
		b.Do("GET", signIn, nil, nil).Want(t, 200, `href="`+signUp+`"`, "Create an account")
		b.Do("GET", signUp, nil, nil).Want(t, 200, "Create your account", `autocomplete="email"`)
		post := func(email string) apitest.Page {
			return b.Do("POST", signUp, url.Values{"csrf": {token}, "email": {email}}, nil)
		}
		b.Do("POST", signUp, url.Values{"email": {"eve@example.com"}}, nil).Want(t, 403, "Your page expired")
		post("not an address").Want(t, 400, "Enter a valid email address.")
		fresh := post("eve@example.com")
		fresh.Want(t, 200, "Check your mail")
		temp := temporaryPassword(t, smtp.WaitFor(t, "eve@example.com", "temporary password"))

		// Again before she signs in: a new temporary password replaces it.
		again := post("EVE@example.com")
		if strip(again.Body, "EVE@example.com") != strip(fresh.Body, "eve@example.com") {
			t.Errorf("a second sign-up reads differently:\n%s\n---\n%s", again.Body, fresh.Body)
		}
		temp2 := temporaryPassword(t, smtp.WaitForCount(t, "eve@example.com", 2)[1])
		if temp2 == temp {
			t.Fatal("the second sign-up mailed the same password")
		}
		p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"eve@example.com"}, "password": {temp}}, nil)
		p.Want(t, 401)
		p = b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"eve@example.com"}, "password": {temp2}}, nil)
		p.Want(t, 200, "Choose a new password")
		challenge := between(p.Body, `name="challenge" value="`, `"`)
		done := b.Do("POST", "/identity/"+c.SaaSID+"/new-password", url.Values{"csrf": {token}, "challenge": {challenge},
			"password": {"Ev3-own-pass"}, "confirm": {"Ev3-own-pass"}}, nil)
		if done.Status != http.StatusSeeOther {
			t.Fatalf("new password: %d\n%s", done.Status, done.Body)
		}

		// Once she has her own password, a sign-up of her address reads the
		// same and sends nothing.
		before := len(smtp.Received())
		confirmed := post("eve@example.com")
		if confirmed.Status != 200 || strip(confirmed.Body, "eve@example.com") != strip(fresh.Body, "eve@example.com") {
			t.Errorf("a sign-up of a confirmed address: %d\n%s", confirmed.Status, confirmed.Body)
		}
		if r := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"eve@example.com"}, "password": {"Ev3-own-pass"}}, nil); r.Status != http.StatusSeeOther {
			t.Errorf("her password after a stranger's sign-up of her address: %d", r.Status)
		}
		if n := len(c.Do(t, "GET", "/v1/mail/messages", nil).Want(t, 200).JSON(t)["messages"].([]any)); n != before {
			t.Errorf("%d messages in the outbox, want %d: nothing for a confirmed address", n, before)
		}
	})
}

// mailedPages is a SaaS on a server on bk that mails through a real SMTP server, a
// callback URL set, and a browser whose every request comes from
// a new client address behind the trusted loopback proxy, so that a long
// test of the pages stays within the per-address limit.
func mailedPages(t *testing.T, bk apitest.Backend) (apitest.Client, *apitest.SMTPServer, *apitest.Browser) {
	t.Helper()
	smtp := apitest.NewSMTPServer(t)
	s := apitest.NewServerWith(t, bk.DB, apitest.Options{SMTPURL: smtp.URL, TrustedProxies: "127.0.0.0/8, ::1"})
	c := s.NewSaaS(t)
	b := apitest.NewBrowser(t, s.URL)
	b.FromNewClients()
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	return c, smtp, b
}

// mailedCode reads the 6-digit code out of a mail.
func mailedCode(t *testing.T, m apitest.ReceivedMail) string {
	t.Helper()
	code := temporaryPassword(t, m) // the indented line
	if len(code) != 6 {
		t.Fatalf("no 6-digit code in the mail:\n%s", m.Text)
	}
	return code
}

// TestForgotPasswordPage: a user asks for a code by mail, her password
// keeps working meanwhile, and the code with a new password changes it,
// ends her sessions and sends her to sign in. Wrong codes are refused and
// count toward the sign-in lock; an unknown login and a sign-in id user
// read the same page as a known one and get no mail.
func TestForgotPasswordPage(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, bk apitest.Backend) {
		c, smtp, b := mailedPages(t, bk)
		c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "fay@example.com", "password": password}).Want(t, 201)
		c.Do(t, "POST", "/v1/auth/users", map[string]any{"sign_in_id": "gus", "password": password}).Want(t, 201)
		forgot, reset, signIn := "/identity/"+c.SaaSID+"/forgot-password", "/identity/"+c.SaaSID+"/reset-password", "/identity/"+c.SaaSID+"/sign-in"
		b.Do("GET", signIn, nil, nil).Want(t, 200, `href="`+forgot+`"`, "Forgot your password?")
		token := b.Do("GET", forgot, nil, nil).CSRF(t)
		ask := func(login string) apitest.Page {
			return b.Do("POST", forgot, url.Values{"csrf": {token}, "login": {login}}, nil)
		}
		ask("").Want(t, 400, "Enter the email of your account.")
		known := ask("fay@example.com")
		known.Want(t, 200, "Choose a new password", `name="code"`)
		for _, other := range []string{"zed@example.com", "gus"} {
			if p := ask(other); p.Status != 200 || strip(p.Body, other) != strip(known.Body, "fay@example.com") {
				t.Errorf("the page for %s reads differently from a known address's:\n%s", other, p.Body)
			}
		}
		code := mailedCode(t, smtp.WaitFor(t, "fay@example.com", "Reset your password"))
		ask("fay@example.com") // a second request: a new code replaces the first
		first, code := code, mailedCode(t, smtp.WaitForCount(t, "fay@example.com", 2)[1])
		if n := len(smtp.Received()); n != 2 {
			t.Errorf("%d mails sent, want 2 (none to an unknown login or a sign-in id user)", n)
		}

		// Her password still signs in while the reset is pending.
		tokens := b.SignIn(c.SaaSID, "fay@example.com", password)
		cred := c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(tokens), nil).Want(t, 200).JSON(t)

		post := func(login, code, pw, confirm string) apitest.Page {
			return b.Do("POST", reset, url.Values{"csrf": {token}, "login": {login}, "code": {code}, "password": {pw}, "confirm": {confirm}}, nil)
		}
		post("fay@example.com", code, "N3w-secret!", "N3w-secret?").Want(t, 400, "not the same")
		post("fay@example.com", code, "short", "short").Want(t, 400, "cannot be used")
		if first != code {
			post("fay@example.com", first, "N3w-secret!", "N3w-secret!").Want(t, 400, "That code is not right")
		}
		post("zed@example.com", code, "N3w-secret!", "N3w-secret!").Want(t, 400, "That code is not right")
		ok := post("fay@example.com", code, "N3w-secret!", "N3w-secret!")
		ok.Want(t, 200, "Your password was changed.", `value="fay@example.com"`)
		post("fay@example.com", code, "An0ther-one!", "An0ther-one!").Want(t, 400, "That code is not right") // spent
		c.Do(t, "GET", "/v1/auth/credentials?auth-flow=refreshTokenAuth&refresh-token="+url.QueryEscape(cred["refresh_token"].(string)), nil).
			WantError(t, 401, "invalid_token")
		if r := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"fay@example.com"}, "password": {password}}, nil); r.Status != 401 {
			t.Errorf("the old password after the reset: %d", r.Status)
		}
		b.SignIn(c.SaaSID, "fay@example.com", "N3w-secret!")

		// Wrong codes lock the login like wrong passwords.
		ask("fay@example.com")
		for range 4 {
			post("fay@example.com", "000000", "N3w-secret!", "N3w-secret!").Want(t, 400)
		}
		post("fay@example.com", "000001", "N3w-secret!", "N3w-secret!").Want(t, 429, "Too many wrong codes")
		b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"fay@example.com"}, "password": {"N3w-secret!"}}, nil).Want(t, 429)
	})
}

// TestPagesStateThePolicy: the pages where a password is chosen say the
// SaaS's own password rules.
func TestPagesStateThePolicy(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := s.NewSaaS(t)
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	c.OKEmpty(t, "PUT", "/v1/auth/sign-in-settings", map[string]any{"password_policy": map[string]any{"minimum_length": 12,
		"is_require_lowercase": true, "is_require_numbers": true, "is_require_symbols": false, "is_require_uppercase": true,
		"temporary_password_validity_days": 7}})
	const rules = "At least 12 characters, with a lower-case and an upper-case letter and a digit."
	b := apitest.NewBrowser(t, s.URL)
	forgot := "/identity/" + c.SaaSID + "/forgot-password"
	token := b.Do("GET", forgot, nil, nil).CSRF(t)
	b.Do("POST", forgot, url.Values{"csrf": {token}, "login": {"who@example.com"}}, nil).Want(t, 200, rules)
	b.Do("GET", invite(t, s, c, "new@example.com"), nil, nil).Want(t, 200, rules)
}
