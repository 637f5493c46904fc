package azureapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/azemu"
)

// authenticate validates the bearer token of a wire call offline and
// returns the SaaS of its publisher identity, or what is wrong with it.
// The token must be RS256, signed by the key of the tenant in its tid
// (and kid), issued by that tenant, for the marketplace's audience, for
// the tenant's app (appid), and valid now on the service's clock.
func (h *Handler) authenticate(r *http.Request) (saasID, problem string) {
	authz := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(authz, " ")
	if authz == "" {
		return "", "no Authorization header"
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return "", "the Authorization header is not a Bearer token"
	}
	claims, id, err := h.ParseToken(r, raw, azemu.MarketplaceResourceID)
	if err != nil {
		return "", err.Error()
	}
	if claims.AppID != id.ClientID {
		return "", "the token's appid is not the publisher's app"
	}
	return id.SaaSID, ""
}

// ParseToken verifies a token of one of the emulator's tenants for
// audience and returns its claims and the tenant's identity.
func (h *Handler) ParseToken(r *http.Request, raw, audience string) (*azemu.AccessClaims, azemu.Identity, error) {
	var id azemu.Identity
	claims := &azemu.AccessClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		c := t.Claims.(*azemu.AccessClaims)
		if c.TenantID == "" {
			return nil, errors.New("no tid claim")
		}
		var err error
		id, err = h.svc.IdentityByTenant(r.Context(), c.TenantID)
		if err != nil {
			return nil, errors.New("unknown tenant")
		}
		if kid, _ := t.Header["kid"].(string); kid != id.KeyID {
			return nil, errors.New("unknown signing key")
		}
		key, err := h.svc.PrivateKey(id)
		if err != nil {
			return nil, err
		}
		return &key.PublicKey, nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(h.svc.Now))
	if err != nil {
		return nil, azemu.Identity{}, err
	}
	if claims.Issuer != azemu.Issuer(id.TenantID) {
		return nil, azemu.Identity{}, errors.New("the token's issuer is not its tenant's")
	}
	return claims, id, nil
}
