package azureapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/azemu"
)

// TestBearerToken: every wire call needs a valid token of the publisher's
// tenant and app; tampered, foreign, expired and wrong-audience tokens get
// 403.
func TestBearerToken(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		_, id := e.purchase("silver", 0)
		path := "/api/saas/subscriptions/" + id + "?" + v2
		e.call("GET", path, nil).want(t, 200)

		parts := strings.Split(e.token, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		resign := func(mut func(map[string]any)) string {
			c := map[string]any{}
			for k, v := range claims {
				c[k] = v
			}
			mut(c)
			b, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
		}
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		selfSigned := func(method jwt.SigningMethod, key any) string {
			tk := jwt.NewWithClaims(method, jwt.MapClaims(claims))
			tk.Header["kid"] = e.id["client_id"]
			s, err := tk.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// A webhook token is for the publisher's app, not the API.
		var webhookToken string
		{
			e.customer(e.active("gold", 1), map[string]any{"action": "Renew"})
			calls := e.hook.wait(t, 1)
			webhookToken = strings.TrimPrefix(calls[len(calls)-1].header.Get("Authorization"), "Bearer ")
		}
		second := e.s.NewSaaS(t)
		var secondID map[string]string
		second.Do(t, "GET", "/azure/_emulator/identity", nil).Want(t, 200).Decode(t, &secondID)
		var secondTok struct {
			AccessToken string `json:"access_token"`
		}
		second.Do(t, "POST", "/azure/_emulator/token", nil).Want(t, 201).Decode(t, &secondTok)

		for _, tc := range []struct {
			name, authz string
			status      int
		}{
			{"none", "", 403},
			{"not bearer", "Basic " + e.token, 403},
			{"garbage", "Bearer abc.def.ghi", 403},
			{"tampered appid", "Bearer " + resign(func(c map[string]any) { c["appid"] = "someone-else" }), 403},
			{"tampered expiry", "Bearer " + resign(func(c map[string]any) { c["exp"] = 9999999999 }), 403},
			{"other tenant claimed", "Bearer " + resign(func(c map[string]any) { c["tid"] = secondID["tenant_id"] }), 403},
			{"foreign key", "Bearer " + selfSigned(jwt.SigningMethodRS256, other), 403},
			{"alg none", "Bearer " + selfSigned(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), 403},
			{"HS256", "Bearer " + selfSigned(jwt.SigningMethodHS256, []byte("secret")), 403},
			{"wrong audience (webhook token)", "Bearer " + webhookToken, 403},
			{"another publisher's token", "Bearer " + secondTok.AccessToken, 404}, // valid, but not its subscription
			{"valid", "Bearer " + e.token, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call("GET", path, nil, "Authorization", tc.authz).want(t, tc.status)
				if tc.status == 403 && (r.code() != "Forbidden" || r.header.Get("WWW-Authenticate") == "") {
					t.Errorf("403 body %s", r.raw)
				}
			})
		}

		// Expiry: the access token lives one hour.
		e.clock.Advance(59 * time.Minute)
		e.call("GET", path, nil).want(t, 200)
		e.clock.Advance(2 * time.Minute)
		e.call("GET", path, nil).want(t, 403)
		e.token = e.bearer()
		e.call("GET", path, nil).want(t, 200)
	})
}

// TestTokenEndpoints: client credentials on the v1 and v2 endpoints, the
// JWKS and the OpenID configuration.
func TestTokenEndpoints(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		post := func(u string, form url.Values) (int, map[string]any) {
			resp, err := e.http.PostForm(u, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			return resp.StatusCode, m
		}
		good := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.id["client_id"]}, "client_secret": {e.id["client_secret"]},
			"resource": {azemu.MarketplaceResourceID}, "scope": {azemu.MarketplaceResourceID + "/.default"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range good {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		for _, tc := range []struct {
			name   string
			url    string
			form   url.Values
			status int
			errStr string
		}{
			{"v1", e.id["token_endpoint"], good, 200, ""},
			{"v2", e.id["token_endpoint_v2"], good, 200, ""},
			{"wrong secret", e.id["token_endpoint"], with("client_secret", "nope"), 401, "invalid_client"},
			{"wrong client", e.id["token_endpoint"], with("client_id", "nope"), 401, "invalid_client"},
			{"wrong grant", e.id["token_endpoint"], with("grant_type", "password"), 400, "unsupported_grant_type"},
			{"wrong resource", e.id["token_endpoint"], with("resource", "https://graph.microsoft.com"), 400, "invalid_resource"},
			{"wrong scope", e.id["token_endpoint_v2"], with("scope", "openid"), 400, "invalid_scope"},
			{"unknown tenant", strings.Replace(e.id["token_endpoint"], e.id["tenant_id"], "00000000-0000-0000-0000-000000000000", 1), good, 401, "invalid_client"},
		} {
			status, body := post(tc.url, tc.form)
			if status != tc.status || (tc.errStr != "" && body["error"] != tc.errStr) || (tc.status == 200 && body["access_token"] == nil) {
				t.Errorf("%s: %d %v", tc.name, status, body)
			}
			if tc.status == 200 {
				e.token = body["access_token"].(string)
				e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200)
			}
		}
		resp, err := e.http.Get(e.id["openid_configuration"])
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var oidc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&oidc)
		if resp.StatusCode != 200 || oidc["issuer"] != e.id["issuer"] || oidc["jwks_uri"] != e.id["jwks_uri"] {
			t.Errorf("openid-configuration %d %v", resp.StatusCode, oidc)
		}
		if r, _ := e.http.Get(e.s.URL + "/azure/nope/discovery/keys"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("JWKS of an unknown tenant: %d", r.StatusCode)
		}
	})
}

// TestPurchaseTokenExpiry: a landing page token resolves for one hour.
func TestPurchaseTokenExpiry(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		tok, id := e.purchase("silver", 0)
		e.clock.Advance(59 * time.Minute)
		e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", tok).want(t, 200)
		e.clock.Advance(2 * time.Minute)
		e.token = e.bearer()
		if r := e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", tok).want(t, 400); r.code() != "InvalidToken" {
			t.Errorf("expired token: %s", r.raw)
		}
		var fresh map[string]string
		e.admin.Do(t, "POST", "/azure/_emulator/subscriptions/"+id+"/token", nil).Want(t, 201).Decode(t, &fresh)
		res := e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", fresh["token"]).want(t, 200).json(t)
		if res["id"] != id {
			t.Errorf("resolve = %v", res)
		}
		// Another publisher cannot redeem it.
		second := e.s.NewSaaS(t)
		var tk struct {
			AccessToken string `json:"access_token"`
		}
		second.Do(t, "POST", "/azure/_emulator/token", nil).Want(t, 201).Decode(t, &tk)
		e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", fresh["token"], "Authorization", "Bearer "+tk.AccessToken).want(t, 400)
	})
}
