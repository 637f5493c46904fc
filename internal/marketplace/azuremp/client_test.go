package azuremp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/marketplace/azuremp"
)

const (
	tenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	clientID = "11111111-2222-3333-4444-555555555555"
)

// fake is a scripted marketplace: a token service, a JWKS and the
// Fulfillment API routes the tests call. Each API answer is taken from
// script (then 200 with body), every request is counted.
type fake struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu       sync.Mutex
	tokens   int      // token requests
	issued   []string // access tokens issued, in order
	expires  int      // expires_in of the token answers
	calls    []string // API calls: method path, with the bearer token's index
	script   []answer
	accepted map[string]bool // tokens the API accepts ("" key: all)
	body     string
	jwks     int // JWKS fetches
}

type answer struct {
	status     int
	retryAfter string
}

func newFake(t *testing.T) *fake {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{t: t, key: key, expires: 3600, body: `{"id":"s1","saasSubscriptionStatus":"Subscribed"}`}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /azure/{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.PathValue("tenant") != tenantID || r.Form.Get("client_id") != clientID || r.Form.Get("client_secret") != "s3cret" ||
			r.Form.Get("scope") != azuremp.ResourceID+"/.default" || r.Form.Get("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
			return
		}
		f.tokens++
		tok := fmt.Sprintf("token-%d", f.tokens)
		f.issued = append(f.issued, tok)
		_, _ = fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":%d,"access_token":%q}`, f.expires, tok)
	})
	mux.HandleFunc("GET /azure/{tenant}/discovery/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.jwks++
		f.mu.Unlock()
		pub := f.key.PublicKey
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "use": "sig", "kid": "k1",
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api-version") != azuremp.APIVersion {
			t.Errorf("%s %s without api-version", r.Method, r.URL)
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+tok)
		if f.accepted != nil && !f.accepted[tok] {
			f.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":"Unauthorized","message":"token revoked"}`))
			return
		}
		a := answer{status: 200}
		if len(f.script) > 0 {
			a, f.script = f.script[0], f.script[1:]
		}
		body := f.body
		f.mu.Unlock()
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		if a.status == 200 {
			_, _ = w.Write([]byte(body))
		} else {
			_, _ = fmt.Fprintf(w, `{"code":"E%d","message":"scripted"}`, a.status)
		}
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) queue(as ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, as...)
}

func (f *fake) counts() (tokens, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens, len(f.calls)
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (f *fake) client(clk *clock, cfg azuremp.Config) *azuremp.Client {
	cfg.FulfillmentURL, cfg.Authority = f.srv.URL+"/api", f.srv.URL+"/azure"
	if clk != nil {
		cfg.Now = clk.Now
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	return azuremp.New(cfg)
}

var creds = azure.AzureCreds{TenantID: tenantID, ClientID: clientID, ClientSecret: "s3cret"}

// Tokens are cached until a minute before they expire, then renewed; the
// cache is per app.
func TestTokenCaching(t *testing.T) {
	f := newFake(t)
	clk := &clock{now: time.Now()}
	c := f.client(clk, azuremp.Config{})
	ctx := context.Background()
	get := func() {
		t.Helper()
		if _, err := c.GetSubscription(ctx, creds, "s1"); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		advance    time.Duration
		wantTokens int
	}{
		{0, 1},
		{0, 1},
		{58 * time.Minute, 1},
		{59 * time.Second, 1}, // 58:59: still cached
		{2 * time.Second, 2},  // 59:01: renewed a minute early
		{30 * time.Minute, 2},
		{30 * time.Minute, 3},
	} {
		clk.Add(step.advance)
		get()
		if tokens, _ := f.counts(); tokens != step.wantTokens {
			t.Fatalf("after %v more: %d token requests, want %d", step.advance, tokens, step.wantTokens)
		}
	}
	// Another secret is another app: its own token.
	other := creds
	other.ClientSecret = "rotated"
	if _, err := c.GetSubscription(ctx, other, "s1"); !isType(err, "azure_credentials_rejected") {
		t.Fatalf("refused credentials: %v", err)
	}
	// A short-lived token is renewed at half its life.
	f.mu.Lock()
	f.expires = 60
	f.mu.Unlock()
	clk.Add(2 * time.Hour)
	get() // 4
	clk.Add(29 * time.Second)
	get()
	clk.Add(2 * time.Second)
	get() // 5
	if tokens, _ := f.counts(); tokens != 5 {
		t.Errorf("short-lived tokens: %d token requests, want 5", tokens)
	}
}

// isType reports whether err is a domain error of that wire type.
func isType(err error, typ string) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.WireType() == typ
}

// A 401 (or 403) from the API renews the token once and retries; a second
// refusal is an error, without a third token.
func TestUnauthorizedRenewsTokenOnce(t *testing.T) {
	f := newFake(t)
	c := f.client(&clock{now: time.Now()}, azuremp.Config{})
	ctx := context.Background()
	if _, err := c.GetSubscription(ctx, creds, "s1"); err != nil { // token-1 cached
		t.Fatal(err)
	}
	f.mu.Lock()
	f.accepted = map[string]bool{"token-2": true} // token-1 revoked
	f.mu.Unlock()
	if _, err := c.GetSubscription(ctx, creds, "s1"); err != nil {
		t.Fatalf("after a revoked token: %v", err)
	}
	tokens, calls := f.counts()
	if tokens != 2 || calls != 3 {
		t.Fatalf("%d tokens, %d calls; want 2 and 3", tokens, calls)
	}
	f.mu.Lock()
	if !strings.HasSuffix(f.calls[1], "token-1") || !strings.HasSuffix(f.calls[2], "token-2") {
		t.Errorf("calls %v", f.calls)
	}
	f.accepted = map[string]bool{} // nothing accepted
	f.mu.Unlock()
	_, err := c.GetSubscription(ctx, creds, "s1")
	if !isType(err, "azure_credentials_rejected") {
		t.Errorf("refused twice: %v, want azure_credentials_rejected", err)
	}
	if tokens, calls := f.counts(); tokens != 3 || calls != 5 {
		t.Errorf("refused twice: %d tokens, %d calls; want 3 and 5 (one renewal only)", tokens, calls)
	}
}

// 429 waits Retry-After (capped), 5xx and network errors are retried with
// backoff up to MaxAttempts; 4xx other than 429 are not retried.
func TestRetries(t *testing.T) {
	slow := func(int) time.Duration { return 10 * time.Second } // a test that waits for it fails on time
	for _, tc := range []struct {
		name      string
		cfg       azuremp.Config
		script    []answer
		wantCalls int
		wantErr   string // "" for success
		minTime   time.Duration
	}{
		{"429 honours Retry-After", azuremp.Config{Backoff: slow, MaxRetryAfter: 300 * time.Millisecond},
			[]answer{{429, "1"}}, 2, "", 300 * time.Millisecond},
		{"429 Retry-After 0", azuremp.Config{Backoff: slow}, []answer{{429, "0"}, {429, "0"}}, 3, "", 0},
		{"503 honours Retry-After", azuremp.Config{Backoff: slow}, []answer{{503, "0"}}, 2, "", 0},
		{"5xx retried", azuremp.Config{}, []answer{{500, ""}, {502, ""}, {504, ""}}, 4, "", 0},
		{"5xx until MaxAttempts", azuremp.Config{MaxAttempts: 3}, []answer{{500, ""}, {500, ""}, {500, ""}, {500, ""}}, 3, "unavailable", 0},
		{"429 until MaxAttempts", azuremp.Config{MaxAttempts: 2}, []answer{{429, "0"}, {429, "0"}, {429, "0"}}, 2, "unavailable", 0},
		{"400 not retried", azuremp.Config{}, []answer{{400, ""}}, 1, "azure_bad_request", 0},
		{"404 not retried", azuremp.Config{}, []answer{{404, ""}}, 1, "not_found", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := f.client(nil, tc.cfg)
			f.queue(tc.script...)
			start := time.Now()
			_, err := c.GetSubscription(context.Background(), creds, "s1")
			took := time.Since(start)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && !isType(err, tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if _, calls := f.counts(); calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			if took < tc.minTime || took > 5*time.Second {
				t.Errorf("took %v, want at least %v and no backoff", took, tc.minTime)
			}
		})
	}
	// A network error is retried too.
	f := newFake(t)
	c := azuremp.New(azuremp.Config{FulfillmentURL: "http://127.0.0.1:1/api", Authority: f.srv.URL + "/azure", MaxAttempts: 2,
		Backoff: func(int) time.Duration { return time.Millisecond }})
	if _, err := c.GetSubscription(context.Background(), creds, "s1"); !isType(err, "unavailable") {
		t.Errorf("unreachable API: %v, want unavailable", err)
	}
}

// Webhook tokens: RS256 by a key of the tenant's JWKS, the app's
// audience, the tenant's tid and issuer, the marketplace's appid or azp,
// unexpired.
func TestVerifyWebhookToken(t *testing.T) {
	f := newFake(t)
	now := time.Now()
	c := f.client(&clock{now: now}, azuremp.Config{})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	type claims struct {
		jwt.RegisteredClaims
		TID   string `json:"tid,omitempty"`
		AppID string `json:"appid,omitempty"`
		AZP   string `json:"azp,omitempty"`
	}
	base := func() claims {
		return claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "https://sts.windows.net/" + tenantID + "/",
			Audience: jwt.ClaimStrings{clientID}, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}, TID: tenantID, AppID: azuremp.ResourceID}
	}
	sign := func(mod func(*claims), kid string, key *rsa.PrivateKey, method jwt.SigningMethod) string {
		c := base()
		if mod != nil {
			mod(&c)
		}
		tk := jwt.NewWithClaims(method, c)
		tk.Header["kid"] = kid
		var k any = key
		if method == jwt.SigningMethodHS256 {
			k = []byte("secret")
		}
		s, err := tk.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rs := jwt.SigningMethodRS256
	for _, tc := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid v1", sign(nil, "k1", f.key, rs), true},
		{"valid v2 (azp, v2 issuer)", sign(func(c *claims) {
			c.AppID, c.AZP, c.Issuer = "", azuremp.ResourceID, "https://login.microsoftonline.com/"+tenantID+"/v2.0"
		}, "k1", f.key, rs), true},
		{"wrong issuer", sign(func(c *claims) { c.Issuer = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/" }, "k1", f.key, rs), false},
		{"foreign issuer host", sign(func(c *claims) { c.Issuer = "https://evil.example/" + tenantID + "/" }, "k1", f.key, rs), false},
		{"wrong tid", sign(func(c *claims) { c.TID = "00000000-0000-0000-0000-000000000000" }, "k1", f.key, rs), false},
		{"no tid", sign(func(c *claims) { c.TID = "" }, "k1", f.key, rs), false},
		{"unknown kid", sign(nil, "k2", f.key, rs), false},
		{"other key, known kid", sign(nil, "k1", other, rs), false},
		{"HS256", sign(nil, "k1", nil, jwt.SigningMethodHS256), false},
		{"wrong audience", sign(func(c *claims) { c.Audience = jwt.ClaimStrings{azuremp.ResourceID} }, "k1", f.key, rs), false},
		{"not the marketplace's app", sign(func(c *claims) { c.AppID = clientID }, "k1", f.key, rs), false},
		{"expired", sign(func(c *claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second)) }, "k1", f.key, rs), false},
		{"no expiry", sign(func(c *claims) { c.ExpiresAt = nil }, "k1", f.key, rs), false},
		{"not yet valid", sign(func(c *claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute)) }, "k1", f.key, rs), false},
		{"garbage", "a.b.c", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.VerifyWebhookToken(context.Background(), creds, tc.token)
			if (err == nil) != tc.ok {
				t.Errorf("err %v, want ok=%v", err, tc.ok)
			}
		})
	}
	f.mu.Lock()
	fetches := f.jwks
	f.mu.Unlock()
	if fetches > 2 {
		t.Errorf("%d JWKS fetches: the keys are not cached (an unknown kid refetches at most every 10 s)", fetches)
	}
	// The keys unreachable: unavailable (the marketplace retries), not a
	// refused token.
	down := azuremp.New(azuremp.Config{Authority: "http://127.0.0.1:1/azure", MaxAttempts: 1})
	if err := down.VerifyWebhookToken(context.Background(), creds, sign(nil, "k1", f.key, rs)); !isType(err, "unavailable") {
		t.Errorf("JWKS unreachable: %v, want unavailable", err)
	}
}
