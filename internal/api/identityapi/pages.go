package identityapi

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The hosted pages of each SaaS's user pool, under /identity/{saas_id}/:
// HTML for people, served by the binary, unsigned. Every form carries a
// CSRF token (double submit, with a SameSite=Strict cookie) and is also
// refused when the browser says it comes from another origin. The pages
// redirect only to the SaaS's registered callback URL.

//go:embed web
var webFiles embed.FS

// assetsPath is where the pages' stylesheet is served.
const assetsPath = Prefix + "assets"

var pageTemplates = map[string]*template.Template{
	"sign-in": parsePage("web/signin.html"),
	"notice":  parsePage("web/notice.html"),
}

func parsePage(body string) *template.Template {
	return template.Must(template.New("").ParseFS(webFiles, "web/layout.html", body))
}

// view is what a page template reads.
type view struct {
	SaaSName, Title string
	Error           string // shown as an alert
	Notice, Retry   string // the notice page's text and its way back
	Action, CSRF    string // the form's target and token
	Login           string // the login typed, shown again after a failure
	Assets          string
}

// Initial is the SaaS's mark: the first letter of its name.
func (v view) Initial() string {
	r, _ := utf8.DecodeRuneInString(v.SaaSName)
	if r == utf8.RuneError {
		return "?"
	}
	return string(unicode.ToUpper(r))
}

// render writes a page with status, and the headers every page has: no
// caching, no framing, no scripts, and forms that post only to the page
// itself (and, through the redirect that follows, the callback URL).
func render(w http.ResponseWriter, status int, page string, v view, callback string) {
	v.Assets = assetsPath
	var b bytes.Buffer
	if err := pageTemplates[page].ExecuteTemplate(&b, "layout", v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	formAction := "'self'"
	if u, err := url.Parse(callback); err == nil && callback != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action "+formAction+
		"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (h *Handler) stylesheet(w http.ResponseWriter, r *http.Request) error {
	b, err := fs.ReadFile(webFiles, "web/pages.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
	return nil
}

// notice renders the notice page for err, or a generic one.
func (h *Handler) notice(w http.ResponseWriter, r *http.Request, p identity.Page, err error) {
	v := view{SaaSName: p.SaaSName, Title: "Something went wrong", Notice: "Please try again in a moment."}
	status := httpx.Status(errs.KindOf(err))
	var e *errs.Error
	switch {
	case errors.As(err, &e) && e.Type == identity.TypeNoCallback:
		v.Title, v.Notice = "Sign-in is not set up yet", p.SaaSName+" has not said where to send you after you sign in. Please let its team know."
	case errs.KindOf(err) == errs.KindNotFound:
		v.SaaSName, v.Title, v.Notice = "saasplane", "Page not found", "There is no sign-in page at this address."
	default:
		httpx.Logger(r.Context()).Error("hosted page", "path", r.URL.Path, "err", err)
	}
	render(w, status, "notice", v, "")
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) error {
	saasID := r.PathValue("saas_id")
	p, err := h.svc.Page(r.Context(), saasID)
	if err == nil && p.CallbackURL == "" {
		err = errs.Conflict("no callback URL").WithType(identity.TypeNoCallback)
	}
	if err != nil {
		h.notice(w, r, p, err)
		return nil
	}
	token := h.csrfToken(w, r, saasID)
	render(w, http.StatusOK, "sign-in", view{SaaSName: p.SaaSName, Title: "Sign in", Action: r.URL.Path, CSRF: token}, p.CallbackURL)
	return nil
}

// maxFormBytes bounds a posted form.
const maxFormBytes = 16 << 10

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	saasID := r.PathValue("saas_id")
	p, err := h.svc.Page(r.Context(), saasID)
	if err != nil {
		h.notice(w, r, p, err)
		return nil
	}
	v := view{SaaSName: p.SaaSName, Title: "Sign in", Action: r.URL.Path}
	if err := h.crossOrigin.Check(r); err != nil {
		v.Title, v.Notice, v.Retry = "Request refused", "This form was sent from another site, so it was refused.", r.URL.Path
		render(w, http.StatusForbidden, "notice", v, "")
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		v.Title, v.Notice, v.Retry = "Request refused", "The form could not be read.", r.URL.Path
		render(w, http.StatusBadRequest, "notice", v, "")
		return nil
	}
	if !h.csrfValid(r, saasID) {
		v.Title, v.Notice, v.Retry = "Your page expired", "The sign-in page was open too long, or cookies are off. Open it again to sign in.", r.URL.Path
		render(w, http.StatusForbidden, "notice", v, "")
		return nil
	}
	v.CSRF = r.PostFormValue("csrf")
	v.Login = r.PostFormValue("login")
	if !h.limiter.allow(clientAddress(r)) {
		w.Header().Set("Retry-After", "60")
		v.Error = "Too many sign-in attempts from your network. Wait a minute, then try again."
		render(w, http.StatusTooManyRequests, "sign-in", v, p.CallbackURL)
		return nil
	}
	to, err := h.svc.SignInToCallback(r.Context(), saasID, v.Login, r.PostFormValue("password"))
	var e *errs.Error
	switch {
	case err == nil:
		http.Redirect(w, r, to, http.StatusSeeOther)
	case errors.As(err, &e) && (e.Type == identity.TypeSignInFailed || e.Type == identity.TypeLocked):
		httpx.Logger(r.Context()).Info("sign-in refused", "saas_id", saasID, "type", e.Type)
		v.Error = "The email or sign-in ID, or the password, is not right."
		if e.Type == identity.TypeLocked {
			v.Error = "Too many failed sign-ins. Wait a few minutes, then try again."
		}
		render(w, httpx.Status(e.Kind), "sign-in", v, p.CallbackURL)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

// clientAddress is the host part of the connection's address; proxy
// headers are not consulted, as in the API log.
func clientAddress(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// The CSRF token is a random value in a cookie of the SaaS's pages, which
// every form repeats. Another site can neither read the cookie nor, with
// SameSite=Strict, make the browser send it.
const csrfCookie = "saasplane_csrf"

func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request, saasID string) string {
	if c, err := r.Cookie(csrfCookie); err == nil && wellFormedToken(c.Value) {
		return c.Value
	}
	token := randText()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: Prefix + saasID + "/", HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteStrictMode})
	return token
}

func (h *Handler) csrfValid(r *http.Request, saasID string) bool {
	c, err := r.Cookie(csrfCookie)
	form := r.PostFormValue("csrf")
	return err == nil && wellFormedToken(c.Value) && subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) == 1
}
