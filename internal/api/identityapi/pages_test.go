package identityapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/identityapi"
)

const password = "Sup3r-secret"

// TestSignInPage signs a user in through the hosted page as a browser
// does, follows the redirect's code to the tokens through the signed
// API, and checks the page's refusals: no callback URL, no CSRF token,
// a cross-site post, a wrong password or unknown login (the same words),
// and a locked login.
func TestSignInPage(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, bk apitest.Backend) {
		s := apitest.NewServer(t, bk.DB)
		c := s.NewSaaS(t)
		uid := c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "ann@example.com", "password": password}).Want(t, 201).JSON(t)["id"].(string)
		signIn := "/identity/" + c.SaaSID + "/sign-in"
		b := apitest.NewBrowser(t, s.URL)

		b.Do("GET", "/identity/no-such-saas/sign-in", nil, nil).Want(t, 404, "Page not found")
		b.Do("GET", signIn, nil, nil).Want(t, 409, "Sign-in is not set up yet")
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback?tab=home"})

		p := b.Do("GET", signIn, nil, nil)
		p.Want(t, 200, "Sign in", `autocomplete="current-password"`)
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https://app.example.com; frame-ancestors 'none'; base-uri 'none'",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           "no-store",
		} {
			if got := p.Header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		token := p.CSRF(t)
		form := func(login, pw string) url.Values {
			return url.Values{"csrf": {token}, "login": {login}, "password": {pw}}
		}

		// Refusals that never reach the password check.
		b.Do("POST", signIn, url.Values{"login": {"ann@example.com"}, "password": {password}}, nil).Want(t, 403, "Your page expired")
		b.Do("POST", signIn, url.Values{"csrf": {strings.Repeat("A", 26)}, "login": {"ann@example.com"}, "password": {password}}, nil).Want(t, 403)
		b.Do("POST", signIn, form("ann@example.com", password), http.Header{"Sec-Fetch-Site": {"cross-site"}}).Want(t, 403, "from another site")
		b.Do("POST", signIn, form("ann@example.com", password), http.Header{"Origin": {"https://evil.example"}}).Want(t, 403)

		// A wrong password and an unknown login read the same.
		wrong := b.Do("POST", signIn, form("ann@example.com", "Wr0ng-secret"), nil)
		wrong.Want(t, 401, "is not right", `value="ann@example.com"`)
		unknown := b.Do("POST", signIn, form("zed@example.com", password), nil)
		unknown.Want(t, 401)
		if strip(wrong.Body, "ann@example.com") != strip(unknown.Body, "zed@example.com") {
			t.Errorf("a wrong password and an unknown login give different pages:\n%s\n---\n%s", wrong.Body, unknown.Body)
		}

		// The right password: 303 to the callback URL with a code.
		ok := b.Do("POST", signIn, form("ANN@example.com", password), nil)
		if ok.Status != http.StatusSeeOther {
			t.Fatalf("sign-in answered %d, want 303:\n%s", ok.Status, ok.Body)
		}
		to, _ := url.Parse(ok.Header.Get("Location"))
		if to.Scheme != "https" || to.Host != "app.example.com" || to.Path != "/callback" || to.Query().Get("tab") != "home" {
			t.Fatalf("redirect to %s, want the callback URL", to)
		}
		cred := c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(to.Query().Get("code")), nil).Want(t, 200).JSON(t)
		info := c.Do(t, "GET", "/v1/auth/userinfo?token="+url.QueryEscape(cred["id_token"].(string)), nil).Want(t, 200).JSON(t)
		if info["id"] != uid {
			t.Errorf("userinfo of the code's token: %v, want user %s", info, uid)
		}
		c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(to.Query().Get("code")), nil).WantError(t, 404, "not_found")

		// Five failures lock the login; the page says so, even to the
		// right password.
		for range 5 {
			b.Do("POST", signIn, form("ann@example.com", "Wr0ng-secret"), nil)
		}
		b.Do("POST", signIn, form("ann@example.com", password), nil).Want(t, 429, "Too many failed sign-ins. Wait a few minutes, then try again.")

		// OpenID configuration, unsigned.
		r := s.Raw(t, "GET", "/identity/"+c.SaaSID+"/.well-known/openid-configuration", nil, nil)
		var oc map[string]any
		if r.Status != 200 || json.Unmarshal(r.Body, &oc) != nil {
			t.Fatalf("openid-configuration: %s", r)
		}
		iss := s.URL + "/identity/" + c.SaaSID
		for k, want := range map[string]string{"issuer": iss, "jwks_uri": iss + "/.well-known/jwks.json", "authorization_endpoint": iss + "/sign-in"} {
			if oc[k] != want {
				t.Errorf("%s = %v, want %s", k, oc[k], want)
			}
		}
		if r := s.Raw(t, "GET", "/identity/no-such-saas/.well-known/openid-configuration", nil, nil); r.Status != 404 {
			t.Errorf("an unknown SaaS's configuration: %s", r)
		}
	})
}

func strip(s, login string) string { return strings.ReplaceAll(s, login, "") }

// TestSignInRateLimit: one client address gets SignInBurst attempts at
// once, then a 429 page with Retry-After, whatever the login.
func TestSignInRateLimit(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := s.NewSaaS(t)
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	signIn := "/identity/" + c.SaaSID + "/sign-in"
	b := apitest.NewBrowser(t, s.URL)
	token := b.Do("GET", signIn, nil, nil).CSRF(t)
	for i := range identityapi.SignInBurst {
		p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"user" + string(rune('a'+i))}, "password": {"x"}}, nil)
		if p.Status != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, p.Status)
		}
	}
	p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"another"}, "password": {"x"}}, nil)
	p.Want(t, 429, "Too many sign-in attempts from your network")
	if p.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// TestSignInRateLimitBehindAProxy: with the proxy trusted, the limit
// counts each client that X-Forwarded-For names, not the proxy; a client
// cannot escape it by forging entries to the left of what the proxy
// appended; and an untrusted peer's header is ignored.
func TestSignInRateLimitBehindAProxy(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.OpenSQLite(t), apitest.Options{TrustedProxies: "127.0.0.0/8, ::1"})
	c := s.NewSaaS(t)
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	signIn := "/identity/" + c.SaaSID + "/sign-in"
	b := apitest.NewBrowser(t, s.URL)
	token := b.Do("GET", signIn, nil, nil).CSRF(t)
	n := 0 // a new login each time, so the per-login lock stays out of it
	attempt := func(xff string) apitest.Page {
		n++
		return b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {fmt.Sprint("user", n)}, "password": {"x"}}, http.Header{"X-Forwarded-For": {xff}})
	}
	for i := range identityapi.SignInBurst {
		if p := attempt("198.51.100.1"); p.Status != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, p.Status)
		}
	}
	attempt("198.51.100.1").Want(t, 429)
	attempt("203.0.113.66, 198.51.100.1").Want(t, 429) // a forged entry on the left
	if p := attempt("198.51.100.2"); p.Status != 401 {
		t.Errorf("another client behind the same proxy: %d, want 401 (its own limit)", p.Status)
	}

	direct := apitest.NewServer(t, apitest.OpenSQLite(t)) // trusts no proxy
	dc := direct.NewSaaS(t)
	dc.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	db := apitest.NewBrowser(t, direct.URL)
	dsign := "/identity/" + dc.SaaSID + "/sign-in"
	dtoken := db.Do("GET", dsign, nil, nil).CSRF(t)
	for i := range identityapi.SignInBurst {
		db.Do("POST", dsign, url.Values{"csrf": {dtoken}, "login": {fmt.Sprint("user", i)}, "password": {"x"}}, http.Header{"X-Forwarded-For": {fmt.Sprint("198.51.100.", i)}}).Want(t, 401)
	}
	db.Do("POST", dsign, url.Values{"csrf": {dtoken}, "login": {"another"}, "password": {"x"}}, http.Header{"X-Forwarded-For": {"198.51.100.99"}}).Want(t, 429, "from your network")
}

// temporaryPassword reads the password out of a temporary-password mail.
func temporaryPassword(t *testing.T, m apitest.ReceivedMail) string {
	t.Helper()
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, "    ") && strings.TrimSpace(line) != "" {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no password in the mail:\n%s", m.Text)
	return ""
}

// TestTemporaryPasswordByMail follows a sign-up end to end: the API signs
// the user up, the outbox's job mails the temporary password to a real
// SMTP server (after one refused attempt, retried), the user signs in
// with it on the hosted page, must choose a new password there, and
// lands on the callback with a code; the temporary password then stops
// working and the new one signs in.
func TestTemporaryPasswordByMail(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, bk apitest.Backend) {
		smtp := apitest.NewSMTPServer(t)
		smtp.RefuseNext(1)
		s := apitest.NewServerWith(t, bk.DB, apitest.Options{SMTPURL: smtp.URL})
		c := s.NewSaaS(t)
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
		c.OKEmpty(t, "PUT", "/v1/auth/basic-info", map[string]any{"domain_name": "acme.example", "from_email_address": "hello@acme.example"})
		c.Do(t, "POST", "/v1/auth/sign-up", map[string]any{"email": "dee@example.com"}).Want(t, 201)

		m := smtp.WaitFor(t, "dee@example.com", "temporary password")
		if m.From != "hello@acme.example" || !strings.HasPrefix(m.MessageID, "<") || !strings.HasSuffix(m.MessageID, "@acme.example>") {
			t.Errorf("mail from %s, Message-ID %s", m.From, m.MessageID)
		}
		temp := temporaryPassword(t, m)
		var out map[string]any
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			// The job records the send right after the server took it.
			if out = c.Do(t, "GET", "/v1/mail/messages", nil).Want(t, 200).JSON(t)["messages"].([]any)[0].(map[string]any); out["status"] == "sent" {
				break
			}
		}
		if out["status"] != "sent" || out["attempts"] != float64(2) || out["last_error"] != nil {
			t.Errorf("outbox after the retry: %v, want sent after 2 attempts", out)
		}

		b := apitest.NewBrowser(t, s.URL)
		signIn := "/identity/" + c.SaaSID + "/sign-in"
		token := b.Do("GET", signIn, nil, nil).CSRF(t)
		p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"dee@example.com"}, "password": {temp}}, nil)
		p.Want(t, 200, "Choose a new password", `name="challenge"`)
		challenge := between(p.Body, `name="challenge" value="`, `"`)
		newPassword := "/identity/" + c.SaaSID + "/new-password"
		post := func(pw, confirm string) apitest.Page {
			return b.Do("POST", newPassword, url.Values{"csrf": {token}, "challenge": {challenge}, "password": {pw}, "confirm": {confirm}}, nil)
		}
		post("N3w-secret!", "N3w-secret?").Want(t, 400, "not the same")
		post("short", "short").Want(t, 400, "cannot be used")
		post(temp, temp).Want(t, 400, "must differ from the temporary password")
		ok := post("N3w-secret!", "N3w-secret!")
		if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Header.Get("Location"), "https://app.example.com/callback?code=") {
			t.Fatalf("new password: %d to %q", ok.Status, ok.Header.Get("Location"))
		}
		post("An0ther-one!", "An0ther-one!").Want(t, 401, "Please sign in again") // the challenge is spent
		b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"dee@example.com"}, "password": {temp}}, nil).Want(t, 401)
		if r := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"dee@example.com"}, "password": {"N3w-secret!"}}, nil); r.Status != http.StatusSeeOther {
			t.Errorf("the new password: %d", r.Status)
		}
	})
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}

// withMFA gives the user of signed-in tokens an authenticator app,
// confirmed and on, and returns its secret.
func withMFA(t *testing.T, c apitest.Client, userID, accessToken string, now time.Time) string {
	t.Helper()
	secret := c.Do(t, "POST", "/v1/auth/users/"+userID+"/mfa/software-token/secret-code", map[string]any{"access_token": accessToken}).
		Want(t, 201).JSON(t)["secret_code"].(string)
	code, _ := totp.GenerateCode(secret, now)
	c.OKEmpty(t, "PUT", "/v1/auth/users/"+userID+"/mfa/software-token", map[string]any{"access_token": accessToken, "verification_code": code})
	c.OKEmpty(t, "PATCH", "/v1/auth/users/"+userID+"/mfa/preference", map[string]any{"enabled": true, "method": "softwareToken"})
	return secret
}

// TestMFASignIn: with the second factor on, the right password leads to
// the code page, not the callback; a wrong code is refused there, the
// app's next code signs in, and the same code never works twice.
func TestMFASignIn(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, bk apitest.Backend) {
		s := apitest.NewServer(t, bk.DB)
		c := s.NewSaaS(t)
		uid := c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "mo@example.com", "password": password}).Want(t, 201).JSON(t)["id"].(string)
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
		tok, err := s.Identity.StartSession(t.Context(), c.SaaSID, uid)
		if err != nil {
			t.Fatal(err)
		}
		secret := withMFA(t, c, uid, tok.AccessToken, time.Now())

		b := apitest.NewBrowser(t, s.URL)
		signIn := "/identity/" + c.SaaSID + "/sign-in"
		token := b.Do("GET", signIn, nil, nil).CSRF(t)
		p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"mo@example.com"}, "password": {password}}, nil)
		p.Want(t, 200, "Two-step verification", `autocomplete="one-time-code"`)
		challenge := between(p.Body, `name="challenge" value="`, `"`)
		mfa := "/identity/" + c.SaaSID + "/mfa"
		post := func(code string) apitest.Page {
			return b.Do("POST", mfa, url.Values{"csrf": {token}, "challenge": {challenge}, "code": {code}}, nil)
		}
		post("000000").Want(t, 401, "That code is not right")
		next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second)) // the confirmation used the current one
		if ok := post(next); ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Header.Get("Location"), "https://app.example.com/callback?code=") {
			t.Fatalf("the right code: %d to %q", ok.Status, ok.Header.Get("Location"))
		}
		post(next).Want(t, 401, "That code is not right") // never twice
		b.Do("POST", mfa, url.Values{"csrf": {token}, "challenge": {"forged"}, "code": {next}}, nil).Want(t, 401, "Please sign in again")
	})
}

// invite makes a member of a new tenant sign in and invite email; it
// returns the invitation's URL path.
func invite(t *testing.T, s *apitest.Server, c apitest.Client, email string) string {
	t.Helper()
	owner := c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "owner-" + email, "password": password}).Want(t, 201).JSON(t)["id"].(string)
	tenant := c.Do(t, "POST", "/v1/auth/tenants", map[string]any{"name": "Acme", "attributes": map[string]any{}, "back_office_staff_email": "ops@acme.example"}).
		Want(t, 201).JSON(t)["id"].(string)
	c.Do(t, "POST", "/v1/auth/tenants/"+tenant+"/users", map[string]any{"email": "owner-" + email, "attributes": map[string]any{}}).Want(t, 201)
	tok, err := s.Identity.StartSession(t.Context(), c.SaaSID, owner)
	if err != nil {
		t.Fatal(err)
	}
	inv := c.Do(t, "POST", "/v1/auth/tenants/"+tenant+"/invitations", map[string]any{"email": email, "access_token": tok.AccessToken, "envs": []any{}}).
		Want(t, 201).JSON(t)
	u, _ := url.Parse(inv["invitation_url"].(string))
	return u.Path
}

// TestInvitationPage accepts invitations on the hosted page: a new
// address chooses its password and lands on the callback as a member;
// an existing user signs in with theirs; a used, unknown or mistyped
// acceptance is refused.
func TestInvitationPage(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, bk apitest.Backend) {
		s := apitest.NewServer(t, bk.DB)
		c := s.NewSaaS(t)
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
		b := apitest.NewBrowser(t, s.URL)

		path := invite(t, s, c, "new@example.com")
		p := b.Do("GET", path, nil, nil)
		p.Want(t, 200, "Join Acme", "Choose a password", `value="new@example.com"`)
		token := p.CSRF(t)
		b.Do("POST", path, url.Values{"csrf": {token}, "password": {"N3w-secret!"}, "confirm": {"other"}}, nil).Want(t, 400, "not the same")
		b.Do("POST", path, url.Values{"csrf": {token}, "password": {"weak"}, "confirm": {"weak"}}, nil).Want(t, 400, "cannot be used")
		ok := b.Do("POST", path, url.Values{"csrf": {token}, "password": {"N3w-secret!"}, "confirm": {"N3w-secret!"}}, nil)
		to, _ := url.Parse(ok.Header.Get("Location"))
		if ok.Status != http.StatusSeeOther || to.Query().Get("code") == "" {
			t.Fatalf("accept: %d to %q", ok.Status, ok.Header.Get("Location"))
		}
		cred := c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(to.Query().Get("code")), nil).Want(t, 200).JSON(t)
		info := c.Do(t, "GET", "/v1/auth/userinfo?token="+url.QueryEscape(cred["id_token"].(string)), nil).Want(t, 200).JSON(t)
		if ts := info["tenants"].([]any); info["email"] != "new@example.com" || len(ts) != 1 || ts[0].(map[string]any)["name"] != "Acme" {
			t.Errorf("after accepting: %v", info)
		}
		b.Do("GET", path, nil, nil).Want(t, 410, "no longer valid")
		b.Do("POST", path, url.Values{"csrf": {token}, "password": {"N3w-secret!"}, "confirm": {"N3w-secret!"}}, nil).Want(t, 410)

		c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "old@example.com", "password": password}).Want(t, 201)
		path = invite(t, s, c, "old@example.com")
		b.Do("GET", path, nil, nil).Want(t, 200, "Sign in with your password to accept")
		b.Do("POST", path, url.Values{"csrf": {token}, "password": {"Wr0ng-secret"}}, nil).Want(t, 401, "The password is not right")
		if ok := b.Do("POST", path, url.Values{"csrf": {token}, "password": {password}}, nil); ok.Status != http.StatusSeeOther {
			t.Fatalf("an existing user's acceptance: %d\n%s", ok.Status, ok.Body)
		}
		b.Do("GET", "/identity/"+c.SaaSID+"/invitations/nope", nil, nil).Want(t, 404, "no longer valid")
	})
}

// TestCustomizedPages: the customize settings change what the sign-in
// page shows: the title, the icon, the email-only field, and the terms
// link that customize pages switch on (the privacy one stays off).
func TestCustomizedPages(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := s.NewSaaS(t)
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
	const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
	c.OKEmpty(t, "PATCH", "/v1/auth/customize-page-settings", map[string]any{"title": "Acme Cloud", "icon": png, "favicon": png,
		"terms_of_service_url": "https://acme.example/terms", "privacy_policy_url": "https://acme.example/privacy",
		"google_tag_manager_container_id": "", "is_sign_in_id_enabled": false})
	c.OKEmpty(t, "PATCH", "/v1/auth/customize-pages", map[string]any{"sign_in_page": map[string]any{"html_contents": "<script>x</script>",
		"is_terms_of_service": true, "is_privacy_policy": false}})
	p := apitest.NewBrowser(t, s.URL).Do("GET", "/identity/"+c.SaaSID+"/sign-in", nil, nil)
	p.Want(t, 200, "Acme Cloud", `<img class="icon" src="data:image/png;base64,`+png, `<link rel="icon" href="data:image/png;base64,`,
		`<a href="https://acme.example/terms">Terms of service</a>`, `<label for="login">Email</label>`, `type="email"`)
	for _, absent := range []string{"Privacy policy", "<script>", "Email or sign-in ID"} {
		if strings.Contains(p.Body, absent) {
			t.Errorf("the page shows %q", absent)
		}
	}
}

// TestInvitationThroughChallenges: an existing user whose sign-in needs
// more than the password accepts on the hosted page through the steps
// that follow it: a temporary password's new password, then the app's
// code; the invitation is accepted only at the end. An invitation id
// slipped into a challenge form accepts nothing for another address.
func TestInvitationThroughChallenges(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, bk apitest.Backend) {
		clk := apitest.NewClock(time.Now())
		s := apitest.NewServerWith(t, bk.DB, apitest.Options{Now: clk.Now})
		c := s.NewSaaS(t)
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
		uid := c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "pat@example.com", "password": password}).Want(t, 201).JSON(t)["id"].(string)
		tok, err := s.Identity.StartSession(t.Context(), c.SaaSID, uid)
		if err != nil {
			t.Fatal(err)
		}
		secret := withMFA(t, c, uid, tok.AccessToken, clk.Now())
		clk.Add(30 * time.Second) // past the step the app was confirmed with
		c.OKEmpty(t, "PATCH", "/v1/auth/users/"+uid+"/password", map[string]any{"password": "Tempor4ry!", "temporary": true})
		path := invite(t, s, c, "pat@example.com")
		other := invite(t, s, c, "someone@example.com")
		b := apitest.NewBrowser(t, s.URL)
		token := b.Do("GET", path, nil, nil).CSRF(t)

		p := b.Do("POST", path, url.Values{"csrf": {token}, "password": {"Tempor4ry!"}}, nil)
		p.Want(t, 200, "Choose a new password", `name="invitation"`)
		invitation := between(p.Body, `name="invitation" value="`, `"`)
		p = b.Do("POST", "/identity/"+c.SaaSID+"/new-password", url.Values{"csrf": {token}, "challenge": {between(p.Body, `name="challenge" value="`, `"`)},
			"invitation": {invitation}, "password": {"Pat-own-pass1"}, "confirm": {"Pat-own-pass1"}}, nil)
		p.Want(t, 200, "Two-step verification", `name="invitation"`)
		members := func() int {
			return len(c.Do(t, "GET", "/v1/auth/tenants/all/users/"+uid, nil).Want(t, 200).JSON(t)["users"].([]any))
		}
		if n := members(); n != 0 {
			t.Fatalf("a member of %d tenants before the last step, want none", n)
		}
		code, _ := totp.GenerateCode(secret, clk.Now())
		mfaForm := url.Values{"csrf": {token}, "challenge": {between(p.Body, `name="challenge" value="`, `"`)}, "code": {code}}
		forged := url.Values{}
		for k, v := range mfaForm {
			forged[k] = v
		}
		forged.Set("invitation", strings.TrimPrefix(other, "/identity/"+c.SaaSID+"/invitations/"))
		b.Do("POST", "/identity/"+c.SaaSID+"/mfa", forged, nil).Want(t, 410, "no longer valid")
		if n := members(); n != 0 {
			t.Fatalf("a forged invitation made pat a member of %d tenants", n)
		}
		// The code was spent by the forged post (its session opened); the
		// next one completes the acceptance.
		p = b.Do("POST", path, url.Values{"csrf": {token}, "password": {"Pat-own-pass1"}}, nil)
		p.Want(t, 200, "Two-step verification")
		clk.Add(30 * time.Second)
		next, _ := totp.GenerateCode(secret, clk.Now())
		ok := b.Do("POST", "/identity/"+c.SaaSID+"/mfa", url.Values{"csrf": {token}, "challenge": {between(p.Body, `name="challenge" value="`, `"`)},
			"invitation": {invitation}, "code": {next}}, nil)
		if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Header.Get("Location"), "https://app.example.com/callback?code=") {
			t.Fatalf("the last step: %d to %q\n%s", ok.Status, ok.Header.Get("Location"), ok.Body)
		}
		if n := members(); n != 1 {
			t.Errorf("a member of %d tenants after accepting, want 1", n)
		}
		b.Do("GET", path, nil, nil).Want(t, 410, "no longer valid")
	})
}
