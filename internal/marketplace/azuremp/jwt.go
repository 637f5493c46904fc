package azuremp

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

// jwksTTL is how long fetched signing keys are used; an unknown kid
// refetches them, at most every jwksRefetch.
const (
	jwksTTL     = time.Hour
	jwksRefetch = 10 * time.Second
)

type keySet struct {
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// webhookClaims are the claims saasplane checks on a webhook token.
type webhookClaims struct {
	jwt.RegisteredClaims
	TenantID string `json:"tid"`
	AppID    string `json:"appid"` // v1 tokens
	AZP      string `json:"azp"`   // v2 tokens
}

// JWKSURL is where the tenant's signing keys are.
func (c *Client) JWKSURL(tenantID string) string {
	return c.cfg.Authority + "/" + url.PathEscape(tenantID) + "/discovery/v2.0/keys"
}

// VerifyWebhookToken checks a webhook call's bearer token as the SaaS
// Accelerator does, and more: RS256 signed by a key of the tenant's JWKS,
// audience the app's client id, tid the app's tenant, appid (v1) or azp
// (v2) the marketplace's application, issuer the tenant's (v1 or v2
// form), not expired, not before its nbf (no leeway).
func (c *Client) VerifyWebhookToken(ctx context.Context, cr azure.AzureCreds, token string) error {
	jwksURL := c.JWKSURL(cr.TenantID)
	var claims webhookClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return c.key(ctx, jwksURL, kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(cr.ClientID), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(c.cfg.Now))
	if err != nil {
		var ue *unavailableError
		if errors.As(err, &ue) {
			return errs.E(errs.KindUnavailable, "the signing keys of the webhook token could not be read: %v", ue.err)
		}
		return err
	}
	if claims.TenantID != cr.TenantID {
		return fmt.Errorf("tid %q is not the tenant %q", claims.TenantID, cr.TenantID)
	}
	if claims.AppID != ResourceID && claims.AZP != ResourceID {
		return fmt.Errorf("the token is not the marketplace's (appid %q, azp %q)", claims.AppID, claims.AZP)
	}
	if iss := claims.Issuer; iss != "https://sts.windows.net/"+cr.TenantID+"/" && iss != "https://login.microsoftonline.com/"+cr.TenantID+"/v2.0" {
		return fmt.Errorf("issuer %q is not the tenant's", iss)
	}
	return nil
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }

// key returns the public key kid of the JWKS at jwksURL, fetching it when
// unknown or old.
func (c *Client) key(ctx context.Context, jwksURL, kid string) (*rsa.PublicKey, error) {
	now := time.Now()
	c.mu.Lock()
	ks := c.jwks[jwksURL]
	c.mu.Unlock()
	if ks != nil {
		if k := ks.keys[kid]; k != nil && now.Sub(ks.fetched) < jwksTTL {
			return k, nil
		}
		if now.Sub(ks.fetched) < jwksRefetch {
			if k := ks.keys[kid]; k != nil {
				return k, nil
			}
			return nil, fmt.Errorf("unknown signing key %q", kid)
		}
	}
	fresh, err := c.fetchJWKS(ctx, jwksURL)
	if err != nil {
		return nil, &unavailableError{err}
	}
	c.mu.Lock()
	c.jwks[jwksURL] = fresh
	c.mu.Unlock()
	if k := fresh.keys[kid]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("unknown signing key %q", kid)
}

func (c *Client) fetchJWKS(ctx context.Context, jwksURL string) (*keySet, error) {
	status, _, body, err := c.send(ctx, func() (*http.Request, error) { return http.NewRequest(http.MethodGet, jwksURL, nil) })
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", jwksURL, status)
	}
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: %v", jwksURL, err)
	}
	ks := &keySet{keys: map[string]*rsa.PublicKey{}, fetched: time.Now()}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		ks.keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return ks, nil
}
