// Package azureapi serves saasplane's Azure Marketplace emulator over
// Microsoft's wire protocols:
//
//   - the SaaS Fulfillment API at /api/saas/..., v1 or v2 by the
//     api-version query parameter (2017-04-15 or 2018-08-31);
//   - the metering API at /api/usageEvent, /api/batchUsageEvent and
//     /api/usageEvents (2018-08-31);
//   - an Entra ID-like token service per publisher tenant:
//     POST /azure/{tenant}/oauth2/token (v1, resource=...) and
//     /azure/{tenant}/oauth2/v2.0/token (scope=.../.default), the JWKS at
//     /azure/{tenant}/discovery/keys (and discovery/v2.0/keys), and
//     /azure/{tenant}/.well-known/openid-configuration;
//   - the emulator's admin API under /azure/_emulator/ (SAASUSSIGV1, SaaSus
//     error bodies).
//
// Wire calls carry Authorization: Bearer <JWT> issued by the token service
// (RS256, aud 20e940b3-4c77-4b0b-9a53-9e16a1b010a7), validated offline with
// golang-jwt; the token's tenant is the publisher, one SaaS. Errors on the
// wire have Azure's bodies, not SaaSus's.
package azureapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// MaxBody bounds a wire request body.
const MaxBody = 1 << 20

// Config is the emulator's wire configuration.
type Config struct {
	// PublicURL is the base of the absolute URLs handed out
	// (Operation-Location, @nextLink, the token endpoints), no trailing
	// slash.
	PublicURL string
}

// Handler serves the emulator.
type Handler struct {
	svc *azemu.Service
	cfg Config
	v1  *http.ServeMux
	v2  *http.ServeMux
	mtr *http.ServeMux
	idp *http.ServeMux
}

// New returns the emulator's handler.
func New(svc *azemu.Service, cfg Config) *Handler {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	h := &Handler{svc: svc, cfg: cfg, v1: http.NewServeMux(), v2: http.NewServeMux(), mtr: http.NewServeMux(), idp: http.NewServeMux()}
	h.registerV1()
	h.registerV2()
	h.registerMetering()
	h.registerIdentity()
	return h
}

// Register adds the wire routes and the token service to root, and the
// admin routes wrapped in auth (SAASUSSIGV1 authentication that puts the
// SaaS id in the context).
func (h *Handler) Register(root *httpx.Router, auth func(http.Handler) http.Handler) {
	wire := http.HandlerFunc(h.serveWire)
	root.Handle("/api/saas/", wire)
	for _, p := range []string{"/api/usageEvent", "/api/batchUsageEvent", "/api/usageEvents"} {
		root.Handle(p, wire)
	}
	admin := auth(h.adminRouter())
	root.Handle("/azure/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, adminPrefix+"/") {
			admin.ServeHTTP(w, r)
			return
		}
		h.idp.ServeHTTP(w, r)
	}))
}

// The correlation headers.
const (
	headerRequestID     = "x-ms-requestid"
	headerCorrelationID = "x-ms-correlationid"
	headerActivityID    = "x-ms-activityid"
)

type ctxKey int

const saasKey ctxKey = 0

func saasID(ctx context.Context) string { s, _ := ctx.Value(saasKey).(string); return s }

// serveWire runs the steps common to every Fulfillment and metering call:
// correlation headers, api-version, bearer token, faults, then the
// version's routes.
func (h *Handler) serveWire(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{headerRequestID, headerCorrelationID} {
		v := r.Header.Get(name)
		if v == "" || len(v) > 128 {
			v = h.svc.RequestID()
		}
		w.Header().Set(name, v)
	}
	w.Header().Set(headerActivityID, h.svc.RequestID())
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)

	metering := !strings.HasPrefix(r.URL.Path, "/api/saas/")
	version := r.URL.Query().Get("api-version")
	switch {
	case version == "":
		writeAPIVersionError(w, "ApiVersionUnspecified", "An API version is required, but was not specified.")
		return
	case version != azemu.APIVersionV2 && (metering || version != azemu.APIVersionV1):
		writeAPIVersionError(w, "UnsupportedApiVersion", "The HTTP resource that matches the request URI '"+
			h.cfg.PublicURL+r.URL.RequestURI()+"' does not support the API version '"+version+"'.")
		return
	}
	saas, problem := h.authenticate(r)
	if problem != "" {
		writeForbidden(w, problem)
		return
	}
	f, ok, err := h.svc.TakeCallFault(r.Context(), saas)
	if err != nil {
		writeAzure(w, http.StatusInternalServerError, "InternalServerError", "The emulator could not read its faults: "+err.Error())
		return
	}
	if ok {
		sleep(r.Context(), f.Delay)
		switch f.Kind {
		case azemu.FaultThrottle:
			w.Header().Set("Retry-After", itoa(f.RetryAfter))
			writeAzure(w, http.StatusTooManyRequests, "RequestThrottleId", "Too many requests (fault injected by the emulator); retry after "+itoa(f.RetryAfter)+" s")
			return
		case azemu.FaultUnavailable:
			writeAzure(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is unavailable (fault injected by the emulator)")
			return
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), saasKey, saas))
	mux := h.v2
	switch {
	case metering:
		mux = h.mtr
	case version == azemu.APIVersionV1:
		mux = h.v1
	}
	if _, pattern := mux.Handler(r); pattern == "" {
		writeAzure(w, http.StatusNotFound, "NotFound", "No route for "+r.Method+" "+r.URL.Path+" in api-version "+version)
		return
	}
	mux.ServeHTTP(w, r)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
