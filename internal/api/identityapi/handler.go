// Package identityapi serves the unsigned routes of each SaaS's user pool,
// under /identity/{saas_id}/: today the JSON Web Key Set that the SaaS's
// ID and access tokens verify against. The signed Auth API operations on
// users and tokens are in authapi.
package identityapi

import (
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/identity"
)

// Prefix starts every route of a SaaS's user pool: Prefix + saasID is its
// issuer URL (the iss claim), relative to the server's public URL.
const Prefix = "/identity/"

// JWKSMaxAge is how long clients may cache a JWKS (Cache-Control). A new
// key is published identity.DefaultRotation.PublishAhead before it signs,
// far longer than this.
const JWKSMaxAge = 300 // seconds

// Handler serves the user pools' public routes.
type Handler struct{ svc *identity.Service }

// New returns the handler over svc.
func New(svc *identity.Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes to root. They are unsigned: verifiers fetch them
// without credentials. Errors use the SaaSus error body.
func (h *Handler) Register(root *httpx.Router) {
	root.HandleFunc("GET "+Prefix+"{saas_id}/.well-known/jwks.json", h.jwks)
}

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) error {
	set, err := h.svc.JWKS(r.Context(), r.PathValue("saas_id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(JWKSMaxAge))
	httpx.WriteJSON(w, http.StatusOK, set)
	return nil
}
