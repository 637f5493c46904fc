package identityapi

import (
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

// openIDConfiguration is the SaaS's OpenID Provider metadata, enough for
// a verifier to find the issuer's keys and the sign-in page. The code a
// sign-in returns is exchanged through the signed GET /v1/auth/credentials
// (as SaaSus does), not an OAuth token endpoint, so none is listed.
func (h *Handler) openIDConfiguration(w http.ResponseWriter, r *http.Request) error {
	saasID := r.PathValue("saas_id")
	if _, err := h.svc.Page(r.Context(), saasID); err != nil {
		return err
	}
	iss := h.svc.Issuer(saasID)
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(JWKSMaxAge))
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"authorization_endpoint":                iss + "/sign-in",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"iss", "aud", "sub", "sid", "jti", "iat", "exp", "token_use", "email"},
	})
	return nil
}
