package azureapi

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// The Entra ID-like token service of each publisher tenant.
func (h *Handler) registerIdentity() {
	h.idp.HandleFunc("POST /azure/{tenant}/oauth2/token", h.handleTokenV1)
	h.idp.HandleFunc("POST /azure/{tenant}/oauth2/v2.0/token", h.handleTokenV2)
	h.idp.HandleFunc("GET /azure/{tenant}/discovery/keys", h.handleJWKS)
	h.idp.HandleFunc("GET /azure/{tenant}/discovery/v2.0/keys", h.handleJWKS)
	h.idp.HandleFunc("GET /azure/{tenant}/.well-known/openid-configuration", h.handleOpenIDConfiguration)
	h.idp.HandleFunc("GET /azure/{tenant}/v2.0/.well-known/openid-configuration", h.handleOpenIDConfiguration)
	h.idp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		oauthError(w, http.StatusNotFound, "invalid_request", "no route for "+r.Method+" "+r.URL.Path)
	})
}

// oauthError is an OAuth 2.0 error response.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	httpx.WriteJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// clientCredentials checks the form of a client credentials grant and
// returns the identity it authenticates.
func (h *Handler) clientCredentials(w http.ResponseWriter, r *http.Request) (azemu.Identity, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return azemu.Identity{}, false
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return azemu.Identity{}, false
	}
	id, err := h.svc.ClientCredentials(r.Context(), r.PathValue("tenant"), r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return azemu.Identity{}, false
	}
	return id, true
}

func (h *Handler) handleTokenV1(w http.ResponseWriter, r *http.Request) {
	id, ok := h.clientCredentials(w, r)
	if !ok {
		return
	}
	if res := r.PostForm.Get("resource"); res != azemu.MarketplaceResourceID {
		oauthError(w, http.StatusBadRequest, "invalid_resource", "resource must be "+azemu.MarketplaceResourceID+" (the Marketplace SaaS API)")
		return
	}
	tok, exp, err := h.svc.IssueAccessToken(r.Context(), id.SaaSID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	now := h.svc.Now()
	ttl := strconv.FormatInt(int64(exp.Sub(now).Seconds()), 10)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl,
		"expires_on": strconv.FormatInt(exp.Unix(), 10), "not_before": strconv.FormatInt(now.Unix(), 10),
		"resource": azemu.MarketplaceResourceID, "access_token": tok})
}

func (h *Handler) handleTokenV2(w http.ResponseWriter, r *http.Request) {
	id, ok := h.clientCredentials(w, r)
	if !ok {
		return
	}
	if sc := r.PostForm.Get("scope"); sc != azemu.MarketplaceResourceID+"/.default" {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "scope must be "+azemu.MarketplaceResourceID+"/.default")
		return
	}
	tok, exp, err := h.svc.IssueAccessToken(r.Context(), id.SaaSID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	ttl := int64(exp.Sub(h.svc.Now()).Seconds())
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl, "access_token": tok})
}

func (h *Handler) tenant(w http.ResponseWriter, r *http.Request) (azemu.Identity, bool) {
	id, err := h.svc.IdentityByTenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_tenant", "tenant "+r.PathValue("tenant")+" is not a tenant of this emulator")
		return azemu.Identity{}, false
	}
	return id, true
}

func (h *Handler) handleJWKS(w http.ResponseWriter, r *http.Request) {
	id, ok := h.tenant(w, r)
	if !ok {
		return
	}
	key, err := h.svc.PrivateKey(id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	b64 := base64.RawURLEncoding.EncodeToString
	e := b64(big.NewInt(int64(key.PublicKey.E)).Bytes())
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": id.KeyID, "x5t": id.KeyID, "n": b64(key.PublicKey.N.Bytes()), "e": e,
		"issuer": azemu.Issuer(id.TenantID),
	}}})
}

func (h *Handler) handleOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	id, ok := h.tenant(w, r)
	if !ok {
		return
	}
	base := h.cfg.PublicURL + "/azure/" + id.TenantID
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"issuer": azemu.Issuer(id.TenantID), "token_endpoint": base + "/oauth2/token", "jwks_uri": base + "/discovery/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"pairwise"},
		"grant_types_supported":                 []string{"client_credentials"},
		"tenant_region_scope":                   "NA",
		"saasplane_marketplace_api_resource_id": azemu.MarketplaceResourceID,
	})
}
