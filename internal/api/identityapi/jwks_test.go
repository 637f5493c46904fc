package identityapi_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
)

func jwksPath(saasID string) string { return "/identity/" + saasID + "/.well-known/jwks.json" }

// TestJWKS fetches a SaaS's keys without credentials, as a verifier of its
// tokens does, and verifies a token with them from the outside.
func TestJWKS(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		s := apitest.NewServer(t, b.DB)
		c := s.NewSaaS(t)
		other := s.NewSaaS(t)

		r := s.Raw(t, "GET", jwksPath(c.SaaSID), nil, nil)
		if r.Status != http.StatusOK || string(r.Body) != `{"keys":[]}` {
			t.Fatalf("before any token: %s, want 200 and no keys", r)
		}
		raw, err := s.Identity.SignToken(t.Context(), c.SaaSID, identity.Token{Use: identity.UseID, UserID: "u1",
			SessionID: "s1", Email: "ann@example.com", ID: "j1", IssuedAt: time.Now(), TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		r = s.Raw(t, "GET", jwksPath(c.SaaSID), nil, nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" ||
			r.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Fatalf("%s (headers %v)", r, r.Header)
		}
		var set identity.JWKS
		if err := json.Unmarshal(r.Body, &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("JWKS %s: %v", r.Body, err)
		}
		k := set.Keys[0]
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("key %+v", k)
		}
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		claims := jwt.MapClaims{}
		tok, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.URL+"/identity/"+c.SaaSID),
			jwt.WithAudience(c.SaaSID)).ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
			if t.Header["kid"] != k.Kid {
				return nil, jwt.ErrTokenUnverifiable
			}
			return pub, nil
		})
		if err != nil || !tok.Valid || claims["sub"] != "u1" {
			t.Errorf("a verifier with only the JWKS: %v, claims %v", err, claims)
		}

		// Each SaaS publishes its own keys only.
		if r := s.Raw(t, "GET", jwksPath(other.SaaSID), nil, nil); r.Status != http.StatusOK || string(r.Body) != `{"keys":[]}` {
			t.Errorf("another SaaS's JWKS: %s, want its own (none)", r)
		}
		for _, path := range []string{jwksPath("4f1e2d3c-0000-4000-8000-000000000000"), jwksPath("not-a-saas")} {
			if r := s.Raw(t, "GET", path, nil, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s, want 404 in the SaaSus error body", r)
			}
		}
		if r := s.Raw(t, "POST", jwksPath(c.SaaSID), []byte(`{}`), nil); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s, want 405", r)
		}
	})
}
