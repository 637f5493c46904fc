package console_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/console"
)

// client is a browser without a browser: a cookie jar and the CSRF token
// the console's script keeps in memory.
type client struct {
	t    *testing.T
	http *http.Client
	url  string
	csrf string
}

func newClient(t *testing.T, url string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, url: url, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("%d %q: %v", r.status, r.body, err)
	}
	return m
}

func (c *client) do(method, path, body string, csrf bool) reply {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if csrf {
		req.Header.Set(console.CSRFHeader, c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func (c *client) signIn(saasID, key, secret string) reply {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"saas_id": saasID, "api_key": key, "secret_key": secret})
	r := c.do("POST", "/console/session", string(b), false)
	if r.status == 200 {
		c.csrf, _ = r.json(c.t)["csrf_token"].(string)
	}
	return r
}

func want(t *testing.T, r reply, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("body %q does not contain %q", r.body, s)
		}
	}
}

// The session and the bridge, over HTTP: sign-in, the API's own answers
// through the bridge, CSRF, sign-out, revoked keys.
func TestSessionAndBridge(t *testing.T) {
	srv := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := srv.NewSaaS(t)
	other := srv.NewSaaS(t)
	b := newClient(t, srv.URL)

	want(t, b.do("GET", "/console/session", "", false), 401, "sign in")
	want(t, b.do("GET", "/console/api/v1/pricing/units", "", false), 401)
	want(t, b.signIn(c.SaaSID, c.APIKey, "wrong"), 401, "do not match")
	want(t, b.signIn(other.SaaSID, c.APIKey, c.Secret), 401, "do not match") // another SaaS's id
	want(t, b.signIn(c.SaaSID, c.APIKey, ""), 400, "secret_key: required")
	want(t, b.do("POST", "/console/session", "saas_id=x", false), 400, "application/json")

	r := b.signIn(c.SaaSID, c.APIKey, c.Secret)
	want(t, r, 200, c.SaaSID, "apitest TestSessionAndBridge")
	if strings.Contains(r.body, c.Secret) {
		t.Errorf("the sign-in answer contains the secret: %s", r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, attr := range []string{console.CookieName + "=", "Path=/console", "HttpOnly", "SameSite=Strict", "Max-Age=28800"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, c.Secret) {
		t.Errorf("the cookie contains the secret")
	}
	want(t, b.do("GET", "/console/session", "", false), 200, b.csrf)

	// The API's own validation message, through the bridge.
	want(t, b.do("POST", "/console/api/v1/pricing/metering/units", `{"unit_name":"","display_name":"x","description":""}`, true),
		400, `"type":"invalid_request"`, "unit_name: must not be empty")
	want(t, b.do("POST", "/console/api/v1/pricing/metering/units", `{"unit_name":"calls","display_name":"Calls","description":""}`, true), 201)
	// Written as the session's SaaS: the signed API sees it.
	if got := string(c.Do(t, "GET", "/v1/pricing/metering/units", nil).Body); !strings.Contains(got, `"unit_name":"calls"`) {
		t.Errorf("the signed API does not see the console's write: %s", got)
	}
	if got := string(other.Do(t, "GET", "/v1/pricing/metering/units", nil).Body); strings.Contains(got, "calls") {
		t.Errorf("another SaaS sees the console's write: %s", got)
	}
	want(t, b.do("GET", "/console/api/v1/pricing/metering/units", "", false), 200, `"unit_name":"calls"`)
	want(t, b.do("GET", "/console/api/v1/pricing/nope", "", false), 404, "no route")
	want(t, b.do("GET", "/console/api/other", "", false), 404, "/console/api/v1/")

	// CSRF: every non-GET needs the session's token.
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		want(t, b.do(m, "/console/api/v1/pricing/metering/units", "{}", false), 403, console.CSRFHeader)
	}
	real := b.csrf
	b.csrf = "forged"
	want(t, b.do("POST", "/console/api/v1/pricing/metering/units", "{}", true), 403)
	want(t, b.do("DELETE", "/console/session", "", true), 403)
	b.csrf = real

	// Another session of the same key has another CSRF token.
	b2 := newClient(t, srv.URL)
	want(t, b2.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
	if b2.csrf == b.csrf {
		t.Errorf("two sessions share a CSRF token")
	}
	stolen := b2.csrf
	b2.csrf = b.csrf
	want(t, b2.do("POST", "/console/api/v1/pricing/metering/units", "{}", true), 403)
	b2.csrf = stolen

	// Sign-out ends the session, even for a replayed cookie.
	jarCookies := b.http.Jar.Cookies(b.reqURL("/console/session"))
	want(t, b.do("DELETE", "/console/session", "", true), 204)
	want(t, b.do("GET", "/console/api/v1/pricing/metering/units", "", false), 401)
	b.http.Jar.SetCookies(b.reqURL("/console/session"), jarCookies)
	want(t, b.do("GET", "/console/api/v1/pricing/metering/units", "", false), 401)
	want(t, b.do("GET", "/console/session", "", false), 401)

	// Revoking the API key ends its other sessions.
	want(t, b2.do("GET", "/console/api/v1/pricing/metering/units", "", false), 200)
	if err := srv.SaaS.RevokeKey(t.Context(), c.SaaSID, c.APIKey); err != nil {
		t.Fatal(err)
	}
	want(t, b2.do("GET", "/console/api/v1/pricing/metering/units", "", false), 401)
}

func (c *client) reqURL(path string) *url.URL {
	u, err := url.Parse(c.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return u
}

// A session ends at its expiry; a tampered cookie is no session.
func TestSessionExpiryAndTampering(t *testing.T) {
	srv := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := srv.NewSaaS(t)
	now := time.Now()
	h := console.New(console.Config{Keys: srv.SaaS, Now: func() time.Time { return now },
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpx.WriteJSON(w, 200, map[string]string{"saas": httpx.SaaSID(r.Context()), "path": r.URL.Path,
				"cookie": r.Header.Get("Cookie"), "csrf": r.Header.Get(console.CSRFHeader)})
		})})
	rt := httpx.NewRouter()
	h.Register(rt)
	ts := newTestServer(t, rt)
	b := newClient(t, ts)
	want(t, b.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
	// The API gets the SaaS in the context, the path without the
	// prefix, and neither the cookie nor the CSRF token.
	r := b.do("POST", "/console/api/v1/x/y?z=1", "{}", true)
	want(t, r, 200, `"saas":"`+c.SaaSID+`"`, `"path":"/v1/x/y"`, `"cookie":""`, `"csrf":""`)

	u := b.reqURL("/console/")
	for _, ck := range b.http.Jar.Cookies(u) {
		// The same signature over a payload with a later expiry.
		body, sig, _ := strings.Cut(ck.Value, ".")
		raw, err := base64.RawURLEncoding.DecodeString(body)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		p["e"] = p["e"].(float64) + 3600
		raw, _ = json.Marshal(p)
		tampered := *ck
		tampered.Value = base64.RawURLEncoding.EncodeToString(raw) + "." + sig
		b.http.Jar.SetCookies(u, []*http.Cookie{&tampered})
	}
	want(t, b.do("GET", "/console/api/v1/x", "", false), 401)

	b = newClient(t, ts)
	want(t, b.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
	now = now.Add(console.DefaultTTL - time.Minute)
	want(t, b.do("GET", "/console/api/v1/x", "", false), 200)
	now = now.Add(2 * time.Minute)
	want(t, b.do("GET", "/console/api/v1/x", "", false), 401)
}

// Without a build, /console says how to build it; with one, any path of
// the UI serves its page and assets are served with an ETag.
func TestPages(t *testing.T) {
	srv := apitest.NewServer(t, apitest.OpenSQLite(t))
	serve := func(assets fstest.MapFS) string {
		rt := httpx.NewRouter()
		console.New(console.Config{Keys: srv.SaaS, API: http.NotFoundHandler(), Assets: assets}).Register(rt)
		return newTestServer(t, rt)
	}
	b := newClient(t, serve(fstest.MapFS{".gitkeep": {}}))
	want(t, b.do("GET", "/console/", "", false), 503, "scripts/build-console.sh")
	r := b.do("GET", "/console", "", false)
	if r.status != 302 || r.header.Get("Location") != "/console/" {
		t.Errorf("GET /console: %d %v", r.status, r.header)
	}

	b = newClient(t, serve(fstest.MapFS{"index.html": {Data: []byte("<p>ui</p>")}, "assets/app.js": {Data: []byte("js()")}}))
	for _, p := range []string{"/console/", "/console/tenants/abc"} {
		r := b.do("GET", p, "", false)
		want(t, r, 200, "<p>ui</p>")
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
	}
	r = b.do("GET", "/console/assets/app.js", "", false)
	want(t, r, 200, "js()")
	if r.header.Get("ETag") == "" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Errorf("asset headers: %v", r.header)
	}
	want(t, b.do("GET", "/console/assets/nope.js", "", false), 404)
}
