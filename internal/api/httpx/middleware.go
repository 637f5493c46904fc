package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/sigv1"
)

// TraceHeader is the SaaSus trace id header. Header names are
// case-insensitive; the SDKs send "X-SaaSus-Trace-Id".
const TraceHeader = "X-Saasus-Trace-Id"

// maxTraceIDLen bounds an inherited trace id; longer or non-printable values
// are replaced by a fresh one.
const maxTraceIDLen = 128

func validTraceID(s string) bool {
	if s == "" || len(s) > maxTraceIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Trace gives every request a trace id, inheriting the caller's when it
// sent a usable one, echoes it in the response, and puts a logger carrying
// it into the context.
func Trace(base *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(TraceHeader)
			if !validTraceID(id) {
				id = uuid.NewString()
			}
			w.Header().Set(TraceHeader, id)
			ctx := context.WithValue(r.Context(), traceKey, id)
			ctx = context.WithValue(ctx, loggerKey, base.With("trace_id", id))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// StatusRecorder remembers the status and size of a response.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
	Bytes  int
}

// WriteHeader records the status.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records the size.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.Bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Recover turns a panic into a 500 with a SaaSus error body and logs the
// stack. http.ErrAbortHandler is re-raised, as net/http expects.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			Logger(r.Context()).Error("panic serving request", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			WriteError(w, r, fmt.Errorf("panic: %v", p))
		}()
		next.ServeHTTP(w, r)
	})
}

// KeyLookup resolves an API key to its active key record.
type KeyLookup interface {
	Lookup(ctx context.Context, apiKey string) (saas.Key, error)
}

func unauthorized(format string, args ...any) error {
	return errs.E(errs.KindUnauthorized, format, args...)
}

// Authenticate verifies the SAASUSSIGV1 signature of every request over the
// Host header, the raw request-target and the raw body (read in full, up to
// maxBody bytes), then puts the SaaS id into the context. The body is
// handed on unchanged.
func Authenticate(keys KeyLookup, now func() time.Time, maxBody int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return Handle(func(w http.ResponseWriter, r *http.Request) error {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
			if err != nil {
				return bodyReadError(err)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			authz := r.Header.Get("Authorization")
			if authz == "" {
				return unauthorized("missing Authorization header: sign the request with SAASUSSIGV1")
			}
			h, err := sigv1.Parse(authz)
			if err != nil {
				return unauthorized("%s", err.Error())
			}
			key, err := keys.Lookup(r.Context(), h.APIKey)
			if err != nil && !errors.Is(err, errs.ErrNotExist) {
				return fmt.Errorf("look up api key: %w", err)
			}
			// One answer for "no such key" and "not this SaaS's key", so
			// the response does not reveal which keys exist.
			if err != nil || key.SaaSID != h.SaaSID {
				return unauthorized("API key %q is unknown, revoked, or not a key of SaaS %q", h.APIKey, h.SaaSID)
			}
			target := sigv1.Target(r.Host, r.RequestURI)
			if !sigv1.Verify([]byte(key.Secret), now(), h.Sig, h.APIKey, r.Method, target, body) {
				return unauthorized("signature mismatch or older than one minute: sign UTC minute + API key + %s + %q + body with your secret key", r.Method, target)
			}
			ctx := WithSaaS(r.Context(), key.SaaSID, key.APIKey)
			ctx = context.WithValue(ctx, loggerKey, Logger(ctx).With("saas_id", key.SaaSID))
			next.ServeHTTP(w, r.WithContext(ctx))
			return nil
		})
	}
}

// Router is an http.ServeMux whose unknown routes and wrong methods answer
// with SaaSus JSON errors (404 and 405 with Allow) instead of plain text.
type Router struct {
	mux *http.ServeMux
}

// NewRouter returns an empty Router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Handle registers h for a ServeMux pattern ("GET /v1/pricing/units").
func (rt *Router) Handle(pattern string, h http.Handler) { rt.mux.Handle(pattern, h) }

// HandleFunc registers an error-returning handler.
func (rt *Router) HandleFunc(pattern string, fn HandlerFunc) { rt.mux.Handle(pattern, Handle(fn)) }

var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// ServeHTTP dispatches r, answering unknown routes and methods itself.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// ServeMux would answer a non-canonical path (//, /./, /../) with an
	// HTML redirect; a signed request cannot follow it anyway, since the
	// signature covers the path as sent.
	if clean := path.Clean(r.URL.Path); clean != r.URL.Path && clean+"/" != r.URL.Path {
		WriteJSON(w, http.StatusNotFound, ErrorBody{Type: "not_found",
			Message: fmt.Sprintf("no route for %s %s: the path is not canonical (did you mean %s?)", r.Method, r.URL.Path, clean)})
		return
	}
	if _, pattern := rt.mux.Handler(r); pattern != "" {
		if info, ok := r.Context().Value(routeKey).(*RouteInfo); ok {
			info.Pattern = pattern
		}
		rt.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := rt.mux.Handler(probe); p != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		WriteJSON(w, http.StatusMethodNotAllowed, ErrorBody{Type: "method_not_allowed",
			Message: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))})
		return
	}
	WriteJSON(w, http.StatusNotFound, ErrorBody{Type: "not_found", Message: fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)})
}

const routeKey ctxKey = 100

// RouteInfo is filled in by the Router with the matched pattern, for logs
// and metrics recorded by outer middleware.
type RouteInfo struct{ Pattern string }

// RoutePattern returns the pattern of the route that served ctx's
// request ("" before routing or when none matched).
func RoutePattern(ctx context.Context) string {
	if info, ok := ctx.Value(routeKey).(*RouteInfo); ok {
		return info.Pattern
	}
	return ""
}

// WithRouteInfo returns a context carrying info for the Router to fill.
func WithRouteInfo(ctx context.Context, info *RouteInfo) context.Context {
	return context.WithValue(ctx, routeKey, info)
}
