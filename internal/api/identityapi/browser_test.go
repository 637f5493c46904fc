package identityapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/testenv"
)

// newApp is the SaaS's app: its callback page, which the browser lands on.
func newApp(t *testing.T) *httptest.Server {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>App</title><h1 id=app>Welcome</h1>"))
	}))
	t.Cleanup(app.Close)
	return app
}

// browserSaaS is a server and a SaaS on it whose callback is a new
// app's, for the Chromium tests; withMail starts a real SMTP server for
// its mail too, and returns it.
func browserSaaS(t *testing.T, withMail bool) (*apitest.Server, apitest.Client, *apitest.SMTPServer) {
	t.Helper()
	var o apitest.Options
	var smtp *apitest.SMTPServer
	if withMail {
		smtp = apitest.NewSMTPServer(t)
		o.SMTPURL = smtp.URL
	}
	s := apitest.NewServerWith(t, apitest.OpenSQLite(t), o)
	c := s.NewSaaS(t)
	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": newApp(t).URL + "/callback"})
	return s, c, smtp
}

// landedOnCallback requires the browser to be on the app's callback with
// a code, and returns the code.
func landedOnCallback(t *testing.T, ctx context.Context) string {
	t.Helper()
	landed, err := chromedp.Run(ctx, chromedp.Location())
	u, _ := url.Parse(landed)
	if err != nil || u.Path != "/callback" || u.Query().Get("code") == "" {
		t.Fatalf("landed on %s (%v), want the callback with a code", landed, err)
	}
	return u.Query().Get("code")
}

// open loads url in the browser and waits until it shows the element
// that selector names.
func open(t *testing.T, ctx context.Context, url, selector string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
}

// submit types into the page's form fields, given as pairs of element id
// and text, submits the form, and waits until the next page shows the
// element that next names.
func submit(t *testing.T, ctx context.Context, next string, fields ...string) {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS("#"+fields[i]), fields[i+1]))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(next)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("submitting the form for %s: %v", next, err)
	}
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSignInInBrowser signs a user in through the hosted page in headless
// Chromium, as a person does: a wrong password first, then the right one,
// then the redirect to the SaaS's callback with a code its backend
// exchanges for the user's tokens. Each page is kept as a screenshot.
func TestSignInInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := s.NewSaaS(t)
	c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "ann@example.com", "password": password}).Want(t, 201)

	codes := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" {
			select {
			case codes <- r.URL.Query().Get("code"):
			default:
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>App</title><h1 id=app>Welcome back</h1>"))
	}))
	t.Cleanup(app.Close)
	signIn := s.URL + "/identity/" + c.SaaSID + "/sign-in"

	if err := chromedp.Do(ctx, chromedp.Navigate(signIn)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#title")))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Sign-in is not set up yet" {
		t.Errorf("without a callback URL the page says %q", title)
	}
	shoot(t, ctx, dir, "not-set-up")

	c.OKEmpty(t, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": app.URL + "/callback"})
	open(t, ctx, signIn, "#login")
	shoot(t, ctx, dir, "sign-in")

	submit(t, ctx, ".alert", "login", "ann@example.com", "password", "Wr0ng-secret")
	alert, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".alert")))
	if err != nil {
		t.Fatal(err)
	}
	login, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#login")))
	if err != nil {
		t.Fatal(err)
	}
	if login != "ann@example.com" {
		t.Errorf("after a failure the login field holds %q, want what was typed", login)
	}
	if !strings.Contains(alert, "is not right") {
		t.Errorf("after a wrong password the alert says %q", alert)
	}
	shoot(t, ctx, dir, "sign-in-failed")

	submit(t, ctx, "#app", "password", password)
	landed, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, dir, "callback")
	var code string
	select {
	case code = <-codes:
	case <-time.After(5 * time.Second):
		t.Fatalf("the app's callback got no request; the browser is at %s", landed)
	}
	if u, _ := url.Parse(landed); u.Path != "/callback" || u.Query().Get("code") != code || code == "" {
		t.Fatalf("the browser landed on %s, want the callback with the code", landed)
	}
	cred := c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(code), nil).Want(t, 200).JSON(t)
	info := c.Do(t, "GET", "/v1/auth/userinfo?token="+url.QueryEscape(cred["id_token"].(string)), nil).Want(t, 200).JSON(t)
	if info["email"] != "ann@example.com" {
		t.Errorf("userinfo after the browser's sign-in: %v", info)
	}
	t.Logf("screenshots in %s", dir)
}

// TestNewPasswordInBrowser: a user signed up through the API reads the
// temporary password from the mail a real SMTP server received, signs in
// with it in headless Chromium, chooses a password of their own on the
// page that follows, and lands on the SaaS's callback.
func TestNewPasswordInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, smtp := browserSaaS(t, true)
	c.Do(t, "POST", "/v1/auth/sign-up", map[string]any{"email": "eve@example.com"}).Want(t, 201)
	temp := temporaryPassword(t, smtp.WaitFor(t, "eve@example.com", "temporary password"))

	open(t, ctx, s.URL+"/identity/"+c.SaaSID+"/sign-in", "#login")
	submit(t, ctx, "#confirm", "login", "eve@example.com", "password", temp)
	shoot(t, ctx, dir, "new-password")
	submit(t, ctx, "#app", "password", "Ch0sen-secret", "confirm", "Ch0sen-secret")
	c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(landedOnCallback(t, ctx)), nil).Want(t, 200)
}

// TestMFAInBrowser: a user with an authenticator app on signs in in
// headless Chromium: the password, then the app's code on the page that
// follows, then the SaaS's callback.
func TestMFAInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, _ := browserSaaS(t, false)
	uid := c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "mo@example.com", "password": password}).Want(t, 201).JSON(t)["id"].(string)
	tok, err := s.Identity.StartSession(t.Context(), c.SaaSID, uid)
	if err != nil {
		t.Fatal(err)
	}
	secret := withMFA(t, c, uid, tok.AccessToken, time.Now())
	open(t, ctx, s.URL+"/identity/"+c.SaaSID+"/sign-in", "#login")
	submit(t, ctx, "#code", "login", "mo@example.com", "password", password)
	shoot(t, ctx, dir, "mfa")
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	submit(t, ctx, "#app", "code", code)
	landedOnCallback(t, ctx)
}

// TestInvitationInBrowser: someone invited by email opens the invitation
// in headless Chromium, chooses a password, and lands on the SaaS's
// callback as a member of the tenant.
func TestInvitationInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, _ := browserSaaS(t, false)
	path := invite(t, s, c, "guest@example.com")
	open(t, ctx, s.URL+path, "#confirm")
	shoot(t, ctx, dir, "invitation")
	submit(t, ctx, "#app", "password", "Gu3st-secret", "confirm", "Gu3st-secret")
	landedOnCallback(t, ctx)
}

// click follows the link whose address ends in path in headless
// Chromium, and waits until the next page shows the element that next
// names.
func click(t *testing.T, ctx context.Context, path, next string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href$="`+path+`"]`)), chromedp.WaitVisible(chromedp.CSS(next))); err != nil {
		t.Fatalf("following the link to %s: %v", path, err)
	}
}

// TestSelfSignUpInBrowser: with self sign-up open, a person follows
// "Create an account" from the sign-in page, signs up with their address,
// reads the temporary password from the mail (a real SMTP server), signs
// in with it, chooses their own password, and lands on the callback.
func TestSelfSignUpInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, smtp := browserSaaS(t, true)
	c.OKEmpty(t, "PUT", "/v1/auth/sign-in-settings", map[string]any{"self_regist": map[string]any{"enable": true}})

	open(t, ctx, s.URL+"/identity/"+c.SaaSID+"/sign-in", "#login")
	click(t, ctx, "/sign-up", "#email")
	shoot(t, ctx, dir, "sign-up")
	submit(t, ctx, ".button", "email", "new@example.com")
	shoot(t, ctx, dir, "sign-up-sent")
	temp := temporaryPassword(t, smtp.WaitFor(t, "new@example.com", "temporary password"))
	click(t, ctx, "/sign-in", "#login")
	submit(t, ctx, "#confirm", "login", "new@example.com", "password", temp)
	submit(t, ctx, "#app", "password", "M1ne-own-pass", "confirm", "M1ne-own-pass")
	c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(landedOnCallback(t, ctx)), nil).Want(t, 200)
}

// TestForgotPasswordInBrowser: a person who forgot their password follows
// "Forgot your password?", gets a code by mail, sets a new password with
// it, and signs in with that.
func TestForgotPasswordInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, smtp := browserSaaS(t, true)
	c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "lost@example.com", "password": password}).Want(t, 201)

	open(t, ctx, s.URL+"/identity/"+c.SaaSID+"/sign-in", "#login")
	click(t, ctx, "/forgot-password", "#login")
	shoot(t, ctx, dir, "forgot-password")
	submit(t, ctx, "#code", "login", "lost@example.com")
	shoot(t, ctx, dir, "reset-password")
	code := mailedCode(t, smtp.WaitFor(t, "lost@example.com", "Reset your password"))
	submit(t, ctx, ".success", "code", code, "password", "F0und-again!", "confirm", "F0und-again!")
	shoot(t, ctx, dir, "password-changed")
	// The sign-in page that follows holds the login already.
	submit(t, ctx, "#app", "password", "F0und-again!")
	c.Do(t, "GET", "/v1/auth/credentials?code="+url.QueryEscape(landedOnCallback(t, ctx)), nil).Want(t, 200)
}

// TestMFASetupInBrowser: with MFA required, a user without an app signs
// in in headless Chromium, reads the key under the QR code, enters the
// app's code, and lands on the callback.
func TestMFASetupInBrowser(t *testing.T) {
	ctx := testenv.NewChrome(t, 1280, 800)
	dir := testenv.Screenshots(t, "identity")
	s, c, _ := browserSaaS(t, false)
	c.OKEmpty(t, "PUT", "/v1/auth/sign-in-settings", map[string]any{"mfa_configuration": map[string]any{"mfa_configuration": "on"}})
	c.Do(t, "POST", "/v1/auth/users", map[string]any{"email": "lee@example.com", "password": password}).Want(t, 201)
	open(t, ctx, s.URL+"/identity/"+c.SaaSID+"/sign-in", "#login")
	submit(t, ctx, ".qr img", "login", "lee@example.com", "password", password)
	shoot(t, ctx, dir, "mfa-setup")
	key, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".key")))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(strings.ReplaceAll(key, " ", ""), time.Now())
	submit(t, ctx, "#app", "code", code)
	landedOnCallback(t, ctx)
}
