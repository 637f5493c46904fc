package azureapi_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/azemu"
)

const (
	v1 = "api-version=2017-04-15"
	v2 = "api-version=2018-08-31"
)

// clock is the services' clock: the real time plus an offset a test moves.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// hook is a publisher's webhook endpoint that records every call and
// answers with the queued statuses (then 200).
type hook struct {
	mu       sync.Mutex
	calls    []hookCall
	statuses []int
	srv      *httptest.Server
}

type hookCall struct {
	header http.Header
	body   map[string]any
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		h.mu.Lock()
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		h.calls = append(h.calls, hookCall{header: r.Header.Clone(), body: m})
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) answer(statuses ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statuses = append(h.statuses, statuses...)
}

// wait returns the calls once there are n (and fails after 10 s).
func (h *hook) wait(t *testing.T, n int) []hookCall {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		calls := append([]hookCall{}, h.calls...)
		h.mu.Unlock()
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook: %d calls, want %d", len(calls), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type env struct {
	t     *testing.T
	s     *apitest.Server
	admin apitest.Client
	clock *clock
	hook  *hook
	token string // bearer token of the admin's SaaS
	id    map[string]string
	http  *http.Client
}

// newEnv serves the emulator with its deliverer, creates a SaaS with an
// offer (per-seat "gold" with a metering dimension, flat "silver", private
// "vip") and points its webhook at a recorder.
func newEnv(t *testing.T, b apitest.Backend) *env {
	t.Helper()
	c := &clock{}
	s := apitest.NewServerWith(t, b.DB, apitest.Options{Now: c.Now, EmulatorJobs: true})
	e := &env{t: t, s: s, admin: s.NewSaaS(t), clock: c, hook: newHook(t), http: &http.Client{Timeout: 30 * time.Second}}
	e.admin.Do(t, "POST", "/azure/_emulator/offers", map[string]any{"offer_id": "contoso-app", "plans": []map[string]any{
		{"plan_id": "gold", "display_name": "Gold", "is_price_per_seat": true, "min_quantity": 1, "max_quantity": 50,
			"metering_dimensions": []map[string]any{{"id": "emails", "unit_of_measure": "email", "price_per_unit": 0.01, "currency": "USD"}}},
		{"plan_id": "silver", "display_name": "Silver", "is_price_per_seat": false, "metering_dimensions": []any{}},
		{"plan_id": "vip", "display_name": "VIP", "is_private": true, "metering_dimensions": []any{}},
	}}).Want(t, http.StatusCreated)
	e.admin.Do(t, "PUT", "/azure/_emulator/webhook", map[string]string{"url": e.hook.srv.URL + "/webhook"}).Want(t, http.StatusOK)
	e.id = map[string]string{}
	e.admin.Do(t, "GET", "/azure/_emulator/identity", nil).Want(t, http.StatusOK).Decode(t, &e.id)
	e.token = e.bearer()
	return e
}

// bearer gets a token from the token endpoint, as a publisher's client
// would (client credentials, v1 endpoint).
func (e *env) bearer() string {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.id["client_id"]},
		"client_secret": {e.id["client_secret"]}, "resource": {azemu.MarketplaceResourceID}}
	resp, err := e.http.PostForm(e.id["token_endpoint"], form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out["access_token"] == "" {
		e.t.Fatalf("token endpoint: %d %v %v", resp.StatusCode, out, err)
	}
	return out["access_token"]
}

// reply is a wire answer.
type reply struct {
	status int
	header http.Header
	raw    []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("body %q: %v", r.raw, err)
	}
	return m
}

func (r reply) want(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// code is the Azure error code of the body.
func (r reply) code() string {
	var m map[string]any
	_ = json.Unmarshal(r.raw, &m)
	s, _ := m["code"].(string)
	return s
}

// call sends a wire request with the env's bearer token; header pairs
// follow the body ("Authorization", "" removes it).
func (e *env) call(method, path string, body any, header ...string) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.s.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("x-ms-requestid") == "" || resp.Header.Get("x-ms-correlationid") == "" {
		e.t.Errorf("%s %s: no x-ms-requestid / x-ms-correlationid", method, path)
	}
	return reply{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// purchase buys a plan in the marketplace and returns the landing page
// token and the subscription id.
func (e *env) purchase(plan string, quantity int) (token, subID string) {
	e.t.Helper()
	var out struct {
		Token          string `json:"token"`
		SubscriptionID string `json:"subscription_id"`
	}
	e.admin.Do(e.t, "POST", "/azure/_emulator/purchases", map[string]any{"offer_id": "contoso-app", "plan_id": plan,
		"quantity": quantity, "subscription_name": "Fabrikam " + plan}).Want(e.t, http.StatusCreated).Decode(e.t, &out)
	return out.Token, out.SubscriptionID
}

// active purchases and activates a subscription (v2).
func (e *env) active(plan string, quantity int) string {
	e.t.Helper()
	tok, id := e.purchase(plan, quantity)
	e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", tok).want(e.t, 200)
	body := map[string]any{"planId": plan}
	if quantity > 0 {
		body["quantity"] = quantity
	}
	e.call("POST", "/api/saas/subscriptions/"+id+"/activate?"+v2, body).want(e.t, 200)
	return id
}

func (e *env) customer(subID string, body map[string]any) map[string]any {
	e.t.Helper()
	return e.admin.Do(e.t, "POST", "/azure/_emulator/subscriptions/"+subID+"/actions", body).Want(e.t, http.StatusAccepted).JSON(e.t)
}

func (e *env) subscription(id string) map[string]any {
	e.t.Helper()
	return e.call("GET", "/api/saas/subscriptions/"+id+"?"+v2, nil).want(e.t, 200).json(e.t)
}

// verifyWebhookToken checks a webhook's bearer token offline against the
// tenant's JWKS, as a publisher would.
func (e *env) verifyWebhookToken(t *testing.T, authz string) {
	t.Helper()
	resp, err := e.http.Get(e.id["jwks_uri"])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("jwks: %v %v", jwks, err)
	}
	n, _ := base64.RawURLEncoding.DecodeString(jwks.Keys[0].N)
	ev, _ := base64.RawURLEncoding.DecodeString(jwks.Keys[0].E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ev).Int64())}
	var claims azemu.AccessClaims
	_, err = jwt.ParseWithClaims(strings.TrimPrefix(authz, "Bearer "), &claims, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != jwks.Keys[0].Kid {
			t.Errorf("kid %v, want %s", tk.Header["kid"], jwks.Keys[0].Kid)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(e.id["client_id"]), jwt.WithIssuer(e.id["issuer"]),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(e.clock.Now))
	if err != nil {
		t.Fatalf("webhook token: %v", err)
	}
	if claims.TenantID != e.id["tenant_id"] || claims.AppID != azemu.MarketplaceResourceID {
		t.Errorf("webhook token claims tid %s appid %s", claims.TenantID, claims.AppID)
	}
}
