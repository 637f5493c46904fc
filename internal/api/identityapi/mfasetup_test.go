package identityapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestMFASetupPage: with MFA required, a user without an app is shown
// its QR code and key after the password; a wrong code shows the same
// setup again, the app's code turns MFA on and lands on the callback, and
// the next sign-in asks for the app's code.
func TestMFASetupPage(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, bk apitest.Backend) {
		s := apitest.NewServer(t, bk.DB)
		c := s.NewSaaS(t)
		c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"})
		c.OKEmpty(t, "PUT", "/v1/auth/sign-in-settings", map[string]any{"mfa_configuration": map[string]any{"mfa_configuration": "on"}})
		c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "kim@example.com", "password": password}).Want(t, 201)
		signIn := "/identity/" + c.SaaSID + "/sign-in"
		b := apitest.NewBrowser(t, s.URL)
		token := b.Do("GET", signIn, nil, nil).CSRF(t)
		p := b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"kim@example.com"}, "password": {password}}, nil)
		p.Want(t, 200, "Set up two-step verification", `src="data:image/png;base64,`, `class="key"`)
		key := strings.ReplaceAll(between(p.Body, `<code class="key">`, `</code>`), " ", "")
		challenge := between(p.Body, `name="challenge" value="`, `"`)
		setup := "/identity/" + c.SaaSID + "/mfa-setup"
		again := b.Do("POST", setup, url.Values{"csrf": {token}, "challenge": {challenge}, "code": {"000000"}}, nil)
		again.Want(t, 401, "That code is not right", `src="data:image/png;base64,`)
		if k := strings.ReplaceAll(between(again.Body, `<code class="key">`, `</code>`), " ", ""); k != key {
			t.Errorf("after a wrong code the key reads %q, want the same %q", k, key)
		}
		code, _ := totp.GenerateCode(key, time.Now())
		done := b.Do("POST", setup, url.Values{"csrf": {token}, "challenge": {challenge}, "code": {code}}, nil)
		if done.Status != http.StatusSeeOther || !strings.HasPrefix(done.Header.Get("Location"), "https://app.example.com/callback?code=") {
			t.Fatalf("setup with the app's code: %d to %q", done.Status, done.Header.Get("Location"))
		}
		b.Do("POST", setup, url.Values{"csrf": {token}, "challenge": {challenge}, "code": {code}}, nil).Want(t, 401)
		b.Do("POST", signIn, url.Values{"csrf": {token}, "login": {"kim@example.com"}, "password": {password}}, nil).
			Want(t, 200, "Two-step verification", "authenticator app shows")
	})
}
