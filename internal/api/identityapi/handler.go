// Package identityapi serves the unsigned routes of each SaaS's user pool,
// under /identity/{saas_id}/: the JSON Web Key Set and OpenID
// configuration that the SaaS's tokens verify against, and the hosted
// pages where its users sign in. The signed Auth API operations on users
// and tokens are in authapi.
package identityapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
type Handler struct {
	svc         *identity.Service
	secure      bool // the public URL is https: cookies are Secure
	limiter     *addressLimiter
	proxies     httpx.TrustedProxies
	crossOrigin *http.CrossOriginProtection
}

// SignInBurst and SignInEvery bound the sign-in attempts of one client
// address on one node: a burst of SignInBurst, then one per SignInEvery.
const (
	SignInBurst = 10
	SignInEvery = 6 * time.Second
)

// New returns the handler over svc; now is the clock of its rate limits.
//
// proxies are the reverse proxies whose X-Forwarded-For names the client
// that the sign-in limit counts.
func New(svc *identity.Service, now func() time.Time, proxies httpx.TrustedProxies) *Handler {
	return &Handler{svc: svc, proxies: proxies, secure: strings.HasPrefix(svc.Issuer(""), "https://"),
		limiter: newAddressLimiter(SignInEvery, SignInBurst, now), crossOrigin: http.NewCrossOriginProtection()}
}

// Register adds the routes to root. They are unsigned: verifiers fetch them
// without credentials. Errors use the SaaSus error body.
func (h *Handler) Register(root *httpx.Router) {
	root.HandleFunc("GET "+Prefix+"{saas_id}/.well-known/jwks.json", h.jwks)
	root.HandleFunc("GET "+Prefix+"{saas_id}/.well-known/openid-configuration", h.openIDConfiguration)
	root.HandleFunc("GET "+assetsPath+"/pages.css", h.stylesheet)
	root.HandleFunc("GET "+Prefix+"{saas_id}/sign-in", h.signInPage)
	root.HandleFunc("POST "+Prefix+"{saas_id}/sign-in", h.signIn)
	root.HandleFunc("POST "+Prefix+"{saas_id}/new-password", h.newPassword)
	root.HandleFunc("POST "+Prefix+"{saas_id}/mfa", h.mfa)
	root.HandleFunc("POST "+Prefix+"{saas_id}/mfa-setup", h.mfaSetup)
	root.HandleFunc("GET "+Prefix+"{saas_id}/sign-up", h.signUpPage)
	root.HandleFunc("POST "+Prefix+"{saas_id}/sign-up", h.signUp)
	root.HandleFunc("GET "+Prefix+"{saas_id}/forgot-password", h.forgotPage)
	root.HandleFunc("POST "+Prefix+"{saas_id}/forgot-password", h.forgot)
	root.HandleFunc("POST "+Prefix+"{saas_id}/reset-password", h.resetPassword)
	root.HandleFunc("GET "+Prefix+"{saas_id}/invitations/{invitation_id}", h.invitationPage)
	root.HandleFunc("POST "+Prefix+"{saas_id}/invitations/{invitation_id}", h.acceptInvitation)
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
