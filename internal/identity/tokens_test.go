package identity

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/idgen"
)

const (
	saasA, saasB = "2b8e1c44-0d6f-4a3e-9c71-5e2f8a9b0c13", "7f3a9d20-6b1e-4c58-8e07-1d4c9b2a6f35"
	issuerA      = "https://id.example.com/identity/" + saasA
	issuerB      = "https://id.example.com/identity/" + saasB
)

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// testKeys are generated once: RSA key generation takes a while.
var testKeys = sync.OnceValue(func() map[string]SigningKey {
	ks := map[string]SigningKey{}
	for _, name := range []string{"a1", "a2", "b1"} {
		k, err := GenerateKey(idgen.Crypto(), t0, t0)
		if err != nil {
			panic(err)
		}
		ks[name] = k
	}
	return ks
})

// lookupOf finds the keys named, as the SaaS that owns them would.
func lookupOf(names ...string) KeyLookup {
	return func(kid string) *rsa.PublicKey {
		for _, n := range names {
			if k := testKeys()[n]; k.ID == kid {
				return &k.Private.PublicKey
			}
		}
		return nil
	}
}

func idToken() Token {
	return Token{Use: UseID, Issuer: issuerA, SaaSID: saasA, UserID: "user-1", SessionID: "session-1",
		Email: "ann@example.com", ID: "jti-1", IssuedAt: t0, TTL: time.Hour}
}

func sign(t *testing.T, key string, tok Token) string {
	t.Helper()
	raw, err := Sign(testKeys()[key], tok)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// resign changes a token's claims with edit and signs them with key,
// bypassing Sign, as a forger with that key would.
func resign(t *testing.T, key, raw string, edit func(map[string]any)) string {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		t.Fatal(err)
	}
	edit(claims)
	j := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	j.Header["kid"] = testKeys()[key].ID
	out, err := j.SignedString(testKeys()[key].Private)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyAcceptsTheSaaSsOwnTokens(t *testing.T) {
	raw := sign(t, "a1", idToken())
	c, err := Verify(raw, UseID, issuerA, saasA, lookupOf("a1", "a2"), t0.Add(59*time.Minute))
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if c.Subject != "user-1" || c.SessionID != "session-1" || c.Email != "ann@example.com" || c.ID != "jti-1" ||
		c.TokenUse != UseID || !c.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("claims = %+v", c)
	}
	acc := idToken()
	acc.Use = UseAccess
	c, err = Verify(sign(t, "a2", acc), UseAccess, issuerA, saasA, lookupOf("a1", "a2"), t0)
	if err != nil || c.Email != "" {
		t.Errorf("access token: claims %+v, %v (access tokens carry no email)", c, err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	good := sign(t, "a1", idToken())
	parts := strings.Split(good, ".")
	access := idToken()
	access.Use = UseAccess
	forB := idToken()
	forB.Issuer, forB.SaaSID = issuerB, saasB
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": issuerA, "aud": saasA, "sub": "u", "sid": "s",
		"token_use": "id", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()})
	hs.Header["kid"] = testKeys()["a1"].ID
	pubDER := testKeys()["a1"].Private.PublicKey.N.Bytes()
	confused, _ := hs.SignedString(pubDER) // HMAC keyed with public material
	header := func(h map[string]any) string {
		b, _ := json.Marshal(h)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name string
		raw  string
		use  TokenUse
		now  time.Time
		keys KeyLookup
		msg  string
	}{
		{"empty", "", UseID, t0, lookupOf("a1"), "no token"},
		{"too long", strings.Repeat("a", MaxTokenBytes+1), UseID, t0, lookupOf("a1"), "too long"},
		{"garbage", "not a token", UseID, t0, lookupOf("a1"), "malformed"},
		{"expired", good, UseID, t0.Add(time.Hour + time.Second), lookupOf("a1"), "expired"},
		{"issued in the future", good, UseID, t0.Add(-time.Minute), lookupOf("a1"), "not valid yet"},
		{"access token where an ID token is due", sign(t, "a1", access), UseID, t0, lookupOf("a1"), "not an id token"},
		{"ID token where an access token is due", good, UseAccess, t0, lookupOf("a1"), "not an access token"},
		{"another SaaS's token", sign(t, "b1", forB), UseID, t0, lookupOf("a1", "a2"), "signature"},
		{"forged with another SaaS's key", sign(t, "b1", idToken()), UseID, t0, lookupOf("a1", "a2"), "signature"},
		{"own key, other audience", resign(t, "a1", good, func(c map[string]any) { c["aud"] = saasB }), UseID, t0, lookupOf("a1"), "not issued for this SaaS"},
		{"own key, other issuer", resign(t, "a1", good, func(c map[string]any) { c["iss"] = issuerB }), UseID, t0, lookupOf("a1"), "not issued for this SaaS"},
		{"payload changed", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+issuerA+`","aud":"`+saasA+`","sub":"admin","sid":"s","token_use":"id","iat":1796558400,"exp":1996558400}`)) + "." + parts[2], UseID, t0, lookupOf("a1"), "signature"},
		{"retired key", good, UseID, t0, lookupOf("a2"), "signature"},
		{"no kid", header(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." + parts[1] + "." + parts[2], UseID, t0, lookupOf("a1"), "signature"},
		{"alg none", header(map[string]any{"alg": "none", "kid": testKeys()["a1"].ID}) + "." + parts[1] + ".", UseID, t0, lookupOf("a1"), ""},
		{"HS256 keyed with the public key", confused, UseID, t0, lookupOf("a1"), ""},
		{"no session", resign(t, "a1", good, func(c map[string]any) { delete(c, "sid") }), UseID, t0, lookupOf("a1"), "lacks"},
		{"no subject", resign(t, "a1", good, func(c map[string]any) { delete(c, "sub") }), UseID, t0, lookupOf("a1"), "lacks"},
		{"no expiry", resign(t, "a1", good, func(c map[string]any) { delete(c, "exp") }), UseID, t0, lookupOf("a1"), ""},
		{"no issue time", resign(t, "a1", good, func(c map[string]any) { delete(c, "iat") }), UseID, t0, lookupOf("a1"), "lacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Verify(tt.raw, tt.use, issuerA, saasA, tt.keys, tt.now)
			if err == nil {
				t.Fatalf("Verify accepted it: %+v", c)
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindUnauthorized || e.Type != "invalid_token" {
				t.Fatalf("Verify = %#v, want an Unauthorized invalid_token error", err)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not say %q", e.Message, tt.msg)
			}
		})
	}
}

// FuzzVerify: whatever the input, Verify answers an Unauthorized error or,
// for a token it signed, the claims; it never panics.
func FuzzVerify(f *testing.F) {
	good, err := Sign(testKeys()["a1"], idToken())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	keys := lookupOf("a1")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Verify(raw, UseID, issuerA, saasA, keys, t0)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindUnauthorized {
				t.Fatalf("Verify(%q) = %v, want Unauthorized", raw, err)
			}
			return
		}
		if c.Subject != "user-1" || c.SessionID != "session-1" {
			t.Fatalf("Verify(%q) accepted claims it did not sign: %+v", raw, c)
		}
	})
}
