// Package console serves saasplane's operator console at /console: a
// single-page web UI, built from web/console by scripts/build-console.sh and
// embedded in the binary, and the few server routes it needs.
//
//   - POST /console/session signs in with a SaaS id, an API key and its
//     secret, checked as httpx.Authenticate checks a signature's key, and
//     sets an HttpOnly, SameSite=Strict session cookie (8 hours). The
//     secret is never sent again and never stored in the browser; the
//     cookie is signed with a key derived from it (see session.go). GET
//     answers the current session, DELETE signs out.
//   - /console/api/v1/... is a bridge to the real API: a request
//     authenticated by the session cookie (and, unless it is a GET or
//     HEAD, by the X-Console-CSRF header bound to the session) is handed
//     to the same /v1 handler chain that signed requests reach, with the
//     SaaS id and API key in the context. The console therefore gets the
//     API's own validation, error bodies and API log entries, and nothing
//     is implemented twice.
//   - Everything else under /console/ is the UI (its assets, or its page
//     for the browser's own routing).
//
// Without a build, the embedded directory holds only a placeholder and the
// console answers a page that says how to build it.
package console

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/saas"
)

// Prefix is the console's route prefix.
const Prefix = "/console"

// CookieName is the session cookie.
const CookieName = "saasplane_console"

// CSRFHeader carries the session's CSRF token on every state-changing call.
const CSRFHeader = "X-Console-CSRF"

// DefaultTTL is how long a session lasts.
const DefaultTTL = 8 * time.Hour

// dist is the bundle written by scripts/build-console.sh (gitignored but
// for its placeholder).
//
//go:embed all:dist
var dist embed.FS

// Assets returns the embedded bundle (rooted at its index.html) and whether
// it was built.
func Assets() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	_, err = fs.Stat(sub, "index.html")
	return sub, err == nil
}

// Names lists the SaaSes, for the name in the console's header;
// saas.Service implements it.
type Names interface {
	List(ctx context.Context) ([]saas.SaaS, error)
}

// Config is what the console needs.
type Config struct {
	// Keys verifies the credentials of a sign-in and of every session.
	Keys httpx.KeyLookup
	// API serves an authenticated /v1 request: the chain that
	// httpx.Authenticate hands on to (API log, validation, the families).
	API http.Handler
	// Now is the clock of session expiries; nil means time.Now.
	Now func() time.Time
	// MaxBody bounds the body of a bridged request.
	MaxBody int64
	// TTL is a session's lifetime; 0 means DefaultTTL.
	TTL time.Duration
	// Names gives the SaaS's name; nil uses Keys when it implements Names,
	// else the header shows the SaaS id.
	Names Names
	// Assets overrides the embedded bundle (tests); nil uses Assets().
	Assets fs.FS
	// Revocations keeps the signed-out sessions where every node sees
	// them (the database); nil keeps them in this node's memory only.
	Revocations Revocations
}

// Revocations is where signed-out sessions are kept until they expire.
type Revocations interface {
	RevokeConsoleSession(ctx context.Context, id string, until, now time.Time) error
	ConsoleSessionRevoked(ctx context.Context, id string) (bool, error)
}

// Handler serves the console.
type Handler struct {
	c       Config
	assets  fs.FS
	built   bool
	etags   sync.Map // asset path -> ETag
	revoked revoked
}

// New returns the console handler.
func New(c Config) *Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.MaxBody == 0 {
		c.MaxBody = 1 << 20
	}
	if c.Names == nil {
		c.Names, _ = c.Keys.(Names)
	}
	h := &Handler{c: c}
	if c.Assets != nil {
		h.assets = c.Assets
		_, err := fs.Stat(c.Assets, "index.html")
		h.built = err == nil
	} else {
		h.assets, h.built = Assets()
	}
	return h
}

// Register adds the console's routes to rt.
func (h *Handler) Register(rt *httpx.Router) {
	rt.Handle("GET "+Prefix, http.RedirectHandler(Prefix+"/", http.StatusFound))
	rt.HandleFunc("GET "+Prefix+"/session", h.getSession)
	rt.HandleFunc("POST "+Prefix+"/session", h.signIn)
	rt.HandleFunc("DELETE "+Prefix+"/session", h.signOut)
	// One pattern per method: a method-less one would conflict with the
	// page's "GET /console/".
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		rt.HandleFunc(m+" "+Prefix+"/api/", h.bridge)
	}
	rt.HandleFunc("GET "+Prefix+"/", h.page)
}

// sessionInfo is what the UI learns about its session: never the secret.
type sessionInfo struct {
	SaaSID    string `json:"saas_id"`
	SaaSName  string `json:"saas_name"`
	APIKey    string `json:"api_key"`
	CSRFToken string `json:"csrf_token"`
	ExpiresAt int64  `json:"expires_at"`
}

func (h *Handler) info(ctx context.Context, s session) sessionInfo {
	name := ""
	if h.c.Names != nil {
		if all, err := h.c.Names.List(ctx); err == nil {
			for _, x := range all {
				if x.ID == s.SaaSID {
					name = x.Name
				}
			}
		}
	}
	return sessionInfo{SaaSID: s.SaaSID, SaaSName: name, APIKey: s.APIKey, CSRFToken: s.csrfToken(), ExpiresAt: s.Expires}
}

// signInRequest is the sign-in form.
type signInRequest struct {
	SaaSID    string `json:"saas_id"`
	APIKey    string `json:"api_key"`
	SecretKey string `json:"secret_key"`
}

// badCredentials is the one answer to every wrong sign-in, so that it
// reveals neither which keys exist nor which field was wrong.
var badCredentials = errs.E(errs.KindUnauthorized, "the SaaS id, API key and secret key do not match an active API key")

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	// A cross-site form cannot send JSON without a preflight, which the
	// server never grants: no sign-in can be forged from another site.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errs.Invalid("Content-Type: send the sign-in as application/json")
	}
	var req signInRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		return errs.Invalid("body: not a JSON object with saas_id, api_key and secret_key")
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"saas_id", req.SaaSID}, {"api_key", req.APIKey}, {"secret_key", req.SecretKey}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name+": required")
		}
	}
	if len(missing) > 0 {
		return errs.Invalid("%s", strings.Join(missing, "; "))
	}
	key, err := h.c.Keys.Lookup(r.Context(), strings.TrimSpace(req.APIKey))
	if err != nil && !errors.Is(err, errs.ErrNotExist) {
		return fmt.Errorf("look up api key: %w", err)
	}
	if err != nil || key.SaaSID != strings.TrimSpace(req.SaaSID) ||
		!hmac.Equal([]byte(key.Secret), []byte(strings.TrimSpace(req.SecretKey))) {
		return badCredentials
	}
	now := h.c.Now()
	s := session{sessionPayload: sessionPayload{SaaSID: key.SaaSID, APIKey: key.APIKey, ID: newSessionID(),
		Expires: now.Add(h.c.TTL).Unix()}, macKey: macKey(key.Secret)}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: encodeCookie(s.sessionPayload, s.macKey), Path: Prefix,
		Expires: time.Unix(s.Expires, 0), MaxAge: int(h.c.TTL.Seconds()), HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
	httpx.Logger(r.Context()).Info("console sign-in", "saas_id", key.SaaSID, "api_key", key.APIKey)
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, h.info(r.Context(), s))
	return nil
}

var noSession = errs.E(errs.KindUnauthorized, "no console session, or it expired or was signed out: sign in again")

// session returns the request's verified session.
func (h *Handler) session(r *http.Request) (session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return session{}, noSession
	}
	p, body, sig, ok := parseCookie(c.Value)
	if !ok || time.Unix(p.Expires, 0).Before(h.c.Now()) || h.revoked.has(p.ID) {
		return session{}, noSession
	}
	key, err := h.c.Keys.Lookup(r.Context(), p.APIKey)
	if err != nil && !errors.Is(err, errs.ErrNotExist) {
		return session{}, fmt.Errorf("look up api key: %w", err)
	}
	if err != nil || key.SaaSID != p.SaaSID {
		return session{}, noSession // the key was revoked
	}
	k := macKey(key.Secret)
	if !hmac.Equal(sig, mac(k, "cookie", body)) {
		return session{}, noSession
	}
	if h.c.Revocations != nil { // read only for a genuine cookie
		gone, err := h.c.Revocations.ConsoleSessionRevoked(r.Context(), p.ID)
		if err != nil {
			return session{}, fmt.Errorf("read signed-out sessions: %w", err)
		}
		if gone {
			return session{}, noSession
		}
	}
	return session{sessionPayload: p, macKey: k}, nil
}

func (h *Handler) getSession(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, h.info(r.Context(), s))
	return nil
}

// forbidden answers a state-changing call without its CSRF token.
func forbidden(w http.ResponseWriter) {
	httpx.WriteJSON(w, http.StatusForbidden, httpx.ErrorBody{Type: "forbidden",
		Message: CSRFHeader + " header missing or not this session's: reload the console"})
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if err != nil {
		return err
	}
	if !s.validCSRF(r.Header.Get(CSRFHeader)) {
		forbidden(w)
		return nil
	}
	until, now := time.Unix(s.Expires, 0), h.c.Now()
	if h.c.Revocations != nil {
		if err := h.c.Revocations.RevokeConsoleSession(r.Context(), s.ID, until, now); err != nil {
			return fmt.Errorf("sign out: %w", err)
		}
	}
	h.revoked.add(s.ID, until, now)
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// bridge hands /console/api/v1/... to the API as /v1/..., authenticated by
// the session.
func (h *Handler) bridge(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if err != nil {
		return err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.validCSRF(r.Header.Get(CSRFHeader)) {
		forbidden(w)
		return nil
	}
	p := strings.TrimPrefix(r.URL.Path, Prefix+"/api")
	if !strings.HasPrefix(p, "/v1/") {
		return errs.NotFound("no route for %s %s: the console's bridge serves %s/api/v1/... only", r.Method, r.URL.Path, Prefix)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.c.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errs.E(errs.KindTooLarge, "request body larger than %d bytes", h.c.MaxBody)
		}
		return errs.Invalid("read request body: %v", err)
	}
	ctx := httpx.WithSaaS(r.Context(), s.SaaSID, s.APIKey)
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.URL.Path = p
	req.URL.RawPath = ""
	if r.URL.RawPath != "" {
		req.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, Prefix+"/api")
	}
	req.RequestURI = req.URL.RequestURI()
	// The session's credentials stay here: the API (and its log) sees
	// neither the cookie nor the CSRF token.
	req.Header.Del("Cookie")
	req.Header.Del(CSRFHeader)
	w.Header().Set("Cache-Control", "no-store")
	h.c.API.ServeHTTP(w, req)
	return nil
}

// securityHeaders are set on every page and asset: no framing, no
// inline script, nothing from another origin.
func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
}

// page serves an asset, or the UI's page for any other path (the UI routes
// in the browser).
func (h *Handler) page(w http.ResponseWriter, r *http.Request) error {
	securityHeaders(w)
	if !h.built {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, notBuiltPage)
		return nil
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), Prefix+"/")
	if strings.HasPrefix(name, "assets/") {
		return h.asset(w, r, name)
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.asset(w, r, "index.html")
}

func (h *Handler) asset(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := fs.ReadFile(h.assets, name)
	if err != nil {
		return errs.NotFound("no console asset %s", name)
	}
	etag, ok := h.etags.Load(name)
	if !ok {
		sum := sha256.Sum256(b)
		etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		h.etags.Store(name, etag)
	}
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", etag.(string))
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	return nil
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>saasplane console: not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The console is not built into this binary</h1>
<p>This saasplane was compiled without the console's bundle. Build it, then compile again:</p>
<pre>./scripts/build-console.sh
go build ./cmd/saasplane</pre>
<p>The build needs Node.js and npm (it runs <code>npm ci</code> in <code>web/console</code>); the API under <code>/v1</code> works without it.</p>
</body></html>
`
