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
	"sign-in":      parsePage("web/signin.html"),
	"sign-up":      parsePage("web/signup.html"),
	"forgot":       parsePage("web/forgot.html"),
	"reset":        parsePage("web/reset.html"),
	"new-password": parsePage("web/newpassword.html"),
	"mfa":          parsePage("web/mfa.html"),
	"mfa-setup":    parsePage("web/mfasetup.html"),
	"invitation":   parsePage("web/invitation.html"),
	"notice":       parsePage("web/notice.html"),
}

func parsePage(body string) *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{"dataURL": dataURL}).ParseFS(webFiles, "web/layout.html", body))
}

// dataURL marks an image data: URL, checked when it was set
// (identity.SetPageLook), as safe for a src or href.
func dataURL(s string) template.URL {
	if !strings.HasPrefix(s, "data:image/") {
		return ""
	}
	return template.URL(s)
}

// view is what a page template reads.
type view struct {
	SaaSName, Title string
	Error, Success  string    // shown as an alert
	Notice, Retry   string    // the notice page's text and its way back
	RetryText       string    // the way back's words ("Try again" when "")
	Action, CSRF    string    // the form's target and token
	Login           string    // the login typed, shown again after a failure
	Challenge       string    // the new-password page's challenge token
	Setup           setupView // the MFA setup page's new secret
	Invitation      string    // the invitation a challenge page accepts at its end
	Assets          string
	Look            identity.PageSettings // the SaaS's customization
	page            identity.Page
}

// Rules says what a new password must have, by the SaaS's policy.
func (v view) Rules() string { return v.page.Policy.Describe() }

// SignIn, Forgot and SignUp are the links between the pages; SignUp is
// "" while the SaaS does not let people sign themselves up.
func (v view) SignIn() string { return signInPath(v.page.SaaSID) }
func (v view) Forgot() string { return forgotPath(v.page.SaaSID) }
func (v view) SignUp() string {
	if !v.page.SelfSignUp {
		return ""
	}
	return signUpPath(v.page.SaaSID)
}

// Brand is the name the pages show: the customized title, or the SaaS's.
func (v view) Brand() string {
	if v.Look.Title != "" {
		return v.Look.Title
	}
	return v.SaaSName
}

// Legal reports which links the footer shows: those set, and switched on
// for the sign-in page (customize pages).
func (v view) Legal() (terms, privacy string) {
	pg := v.Look.Pages["sign_in_page"]
	if pg.TermsOfService {
		terms = v.Look.TermsOfServiceURL
	}
	if pg.PrivacyPolicy {
		privacy = v.Look.PrivacyPolicyURL
	}
	return terms, privacy
}

// TermsURL and PrivacyURL are the footer's links ("" when not shown).
func (v view) TermsURL() string   { t, _ := v.Legal(); return t }
func (v view) PrivacyURL() string { _, p := v.Legal(); return p }

// Initial is the SaaS's mark without an icon: the first letter of its
// name.
func (v view) Initial() string {
	r, _ := utf8.DecodeRuneInString(v.Brand())
	if r == utf8.RuneError {
		return "?"
	}
	return string(unicode.ToUpper(r))
}

// render writes a page with status, and the headers every page has: no
// caching, no framing, no scripts, and forms that post only to the page
// itself (and, through the redirect that follows, the callback URL).
func render(w http.ResponseWriter, status int, page string, v view, p identity.Page) {
	v.Assets = assetsPath
	v.Look, v.page = p.Look, p
	callback := p.CallbackURL
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
	render(w, status, "notice", v, p)
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
	render(w, http.StatusOK, "sign-in", view{SaaSName: p.SaaSName, Title: "Sign in", Action: r.URL.Path, CSRF: token}, p)
	return nil
}

// post starts the handling of a posted form of the SaaS's pages: the page,
// and the view of the form's page (title, action) with the fields every
// form may carry (CSRF token, challenge, invitation); false once a
// refusal is rendered (see form).
func (h *Handler) post(w http.ResponseWriter, r *http.Request, title string, path func(string) string) (identity.Page, view, bool) {
	p, ok := h.page(w, r)
	if !ok {
		return p, view{}, false
	}
	v := view{SaaSName: p.SaaSName, Title: title, Action: path(p.SaaSID)}
	if !h.form(w, r, p.SaaSID, p, v) {
		return p, v, false
	}
	v.CSRF, v.Challenge, v.Invitation = r.PostFormValue("csrf"), r.PostFormValue("challenge"), r.PostFormValue("invitation")
	return p, v, true
}

// page reads the SaaS's page, rendering the notice when it cannot.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) (identity.Page, bool) {
	p, err := h.svc.Page(r.Context(), r.PathValue("saas_id"))
	if err != nil {
		h.notice(w, r, p, err)
		return p, false
	}
	return p, true
}

// maxFormBytes bounds a posted form.
const maxFormBytes = 16 << 10

// form checks a posted form of the SaaS's pages: from this site, with the
// CSRF token of its cookie. It answers false after rendering the refusal.
func (h *Handler) form(w http.ResponseWriter, r *http.Request, saasID string, p identity.Page, v view) bool {
	if err := h.crossOrigin.Check(r); err != nil {
		v.Title, v.Notice, v.Retry = "Request refused", "This form was sent from another site, so it was refused.", signInPath(saasID)
		render(w, http.StatusForbidden, "notice", v, p)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		v.Title, v.Notice, v.Retry = "Request refused", "The form could not be read.", signInPath(saasID)
		render(w, http.StatusBadRequest, "notice", v, p)
		return false
	}
	if !h.csrfValid(r, saasID) {
		v.Title, v.Notice, v.Retry = "Your page expired", "The sign-in page was open too long, or cookies are off. Open it again to sign in.", signInPath(saasID)
		render(w, http.StatusForbidden, "notice", v, p)
		return false
	}
	if !h.limiter.allow(h.proxies.ClientAddress(r)) {
		w.Header().Set("Retry-After", "60")
		v.Title, v.Notice, v.Retry = "Too many attempts", "Too many sign-in attempts from your network. Wait a minute, then try again.", signInPath(saasID)
		render(w, http.StatusTooManyRequests, "notice", v, p)
		return false
	}
	return true
}

func signInPath(saasID string) string { return Prefix + saasID + "/sign-in" }

func newPasswordPath(saasID string) string { return Prefix + saasID + "/new-password" }

func mfaPath(saasID string) string { return Prefix + saasID + "/mfa" }

// step goes where a sign-in step leads: the callback, or the page of the
// next challenge. It answers false when there was no step to take.
func step(w http.ResponseWriter, r *http.Request, saasID string, p identity.Page, csrf string, st identity.Step) bool {
	switch {
	case st.To != "":
		http.Redirect(w, r, st.To, http.StatusSeeOther)
	case st.ChallengeName == identity.ChallengeNewPassword:
		render(w, http.StatusOK, "new-password", view{SaaSName: p.SaaSName, Title: "Choose a new password", Action: newPasswordPath(saasID),
			CSRF: csrf, Challenge: st.Challenge, Invitation: st.Invitation}, p)
	case st.ChallengeName == identity.ChallengeMFASetup:
		renderSetup(w, http.StatusOK, p, view{CSRF: csrf, Challenge: st.Challenge, Invitation: st.Invitation}, st.Setup)
	case st.ChallengeName == identity.ChallengeMFA:
		render(w, http.StatusOK, "mfa", view{SaaSName: p.SaaSName, Title: "Two-step verification", Action: mfaPath(saasID),
			CSRF: csrf, Challenge: st.Challenge, Invitation: st.Invitation}, p)
	default:
		return false
	}
	return true
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Sign in", signInPath)
	if !ok {
		return nil
	}
	saasID := p.SaaSID
	v.Login = r.PostFormValue("login")
	st, err := h.svc.SignInToCallback(r.Context(), saasID, v.Login, r.PostFormValue("password"))
	var e *errs.Error
	switch {
	case err == nil && step(w, r, saasID, p, v.CSRF, st):
	case errors.As(err, &e) && (e.Type == identity.TypeSignInFailed || e.Type == identity.TypeLocked || e.Type == identity.TypeTemporaryExpired):
		httpx.Logger(r.Context()).Info("sign-in refused", "saas_id", saasID, "type", e.Type)
		switch e.Type {
		case identity.TypeLocked:
			v.Error = "Too many failed sign-ins. Wait a few minutes, then try again."
		case identity.TypeTemporaryExpired:
			v.Error = "Your temporary password has expired. Ask for a new one."
		default:
			v.Error = "The email or sign-in ID, or the password, is not right."
		}
		render(w, httpx.Status(e.Kind), "sign-in", v, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

// newPassword answers the challenge of a sign-in with a temporary
// password.
func (h *Handler) newPassword(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Choose a new password", newPasswordPath)
	if !ok {
		return nil
	}
	saasID := p.SaaSID
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		v.Error = "The two passwords are not the same."
		render(w, http.StatusBadRequest, "new-password", v, p)
		return nil
	}
	st, err := h.svc.NewPasswordToCallback(r.Context(), saasID, v.Challenge, password, v.Invitation)
	switch kind := errs.KindOf(err); {
	case err == nil && step(w, r, saasID, p, v.CSRF, st):
	case invitationRefused(w, p, err):
	case kind == errs.KindInvalid:
		v.Error = "This password cannot be used: " + fieldMessage(err, "password") + "."
		render(w, http.StatusBadRequest, "new-password", v, p)
	case kind == errs.KindUnauthorized:
		v.Title, v.Notice, v.Retry = "Please sign in again", "Too much time passed since you signed in, or the password was set already.", signInPath(saasID)
		render(w, http.StatusUnauthorized, "notice", v, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

// mfa answers the second-factor challenge of a sign-in with the code of
// the user's authenticator app.
func (h *Handler) mfa(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Two-step verification", mfaPath)
	if !ok {
		return nil
	}
	saasID := p.SaaSID
	st, err := h.svc.MFAToCallback(r.Context(), saasID, v.Challenge, strings.TrimSpace(r.PostFormValue("code")), v.Invitation)
	var e *errs.Error
	switch {
	case err == nil && step(w, r, saasID, p, v.CSRF, st):
	case invitationRefused(w, p, err):
	case errors.As(err, &e) && e.Type == identity.TypeMFAFailed:
		v.Error = "That code is not right. Enter the code your app shows now."
		render(w, http.StatusUnauthorized, "mfa", v, p)
	case codeStepEnded(w, p, v, err):
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

// codeStepEnded renders the notice of a step taking an app's code that
// cannot go on (the login is locked now, or the challenge is spent or
// too old), and reports whether err was one of those.
func codeStepEnded(w http.ResponseWriter, p identity.Page, v view, err error) bool {
	var e *errs.Error
	v.Retry = signInPath(p.SaaSID)
	switch {
	case errors.As(err, &e) && e.Type == identity.TypeLocked:
		v.Title, v.Notice = "Too many failed sign-ins", "Wait a few minutes, then sign in again."
		render(w, http.StatusTooManyRequests, "notice", v, p)
	case errs.KindOf(err) == errs.KindUnauthorized:
		v.Title, v.Notice = "Please sign in again", "Too much time passed since you entered your password."
		render(w, http.StatusUnauthorized, "notice", v, p)
	default:
		return false
	}
	return true
}

// invitationView is the acceptance page of v: Challenge (any non-empty
// value) marks an existing user, who signs in to accept.
func invitationView(saasName, saasID, id string, v identity.InvitationView) view {
	out := view{SaaSName: saasName, Title: "Join " + v.TenantName, Action: Prefix + saasID + "/invitations/" + id, Login: v.Invitation.Email}
	out.Notice = "You are invited to join " + v.TenantName + " on " + saasName + ". Choose a password for your new account to accept."
	if v.UserExists {
		out.Challenge = "existing"
		out.Notice = "You are invited to join " + v.TenantName + " on " + saasName + ". Sign in with your password to accept."
	}
	return out
}

func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request) error {
	p, ok := h.page(w, r)
	if !ok {
		return nil
	}
	saasID, id := p.SaaSID, r.PathValue("invitation_id")
	v, err := h.svc.ViewInvitation(r.Context(), saasID, id)
	if err == nil && !v.Valid {
		render(w, http.StatusGone, "notice", view{SaaSName: p.SaaSName, Title: "This invitation is no longer valid",
			Notice: "It was accepted already, withdrawn, or it expired. Ask for a new one."}, p)
		return nil
	}
	if errs.KindOf(err) == errs.KindNotFound {
		render(w, http.StatusNotFound, "notice", view{SaaSName: p.SaaSName, Title: "This invitation is no longer valid",
			Notice: "It was withdrawn, or the link is not complete. Ask for a new one."}, p)
		return nil
	}
	if err != nil {
		h.notice(w, r, p, err)
		return nil
	}
	pv := invitationView(p.SaaSName, saasID, id, v)
	pv.CSRF = h.csrfToken(w, r, saasID)
	render(w, http.StatusOK, "invitation", pv, p)
	return nil
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	p, ok := h.page(w, r)
	if !ok {
		return nil
	}
	saasID, id := p.SaaSID, r.PathValue("invitation_id")
	if !h.form(w, r, saasID, p, view{SaaSName: p.SaaSName, Title: "Join"}) {
		return nil
	}
	v, err := h.svc.ViewInvitation(r.Context(), saasID, id)
	if err != nil || !v.Valid {
		render(w, http.StatusGone, "notice", view{SaaSName: p.SaaSName, Title: "This invitation is no longer valid",
			Notice: "It was accepted already, withdrawn, or it expired. Ask for a new one."}, p)
		return nil
	}
	pv := invitationView(p.SaaSName, saasID, id, v)
	pv.CSRF = r.PostFormValue("csrf")
	password := r.PostFormValue("password")
	if !v.UserExists && password != r.PostFormValue("confirm") {
		pv.Error = "The two passwords are not the same."
		render(w, http.StatusBadRequest, "invitation", pv, p)
		return nil
	}
	st, err := h.svc.AcceptToCallback(r.Context(), saasID, v, password)
	var e *errs.Error
	switch {
	case err == nil && step(w, r, saasID, p, pv.CSRF, st):
	case errors.As(err, &e) && (e.Type == identity.TypeSignInFailed || e.Type == identity.TypeLocked):
		pv.Error = "The password is not right."
		if e.Type == identity.TypeLocked {
			pv.Error = "Too many failed sign-ins. Wait a few minutes, then try again."
		}
		render(w, httpx.Status(e.Kind), "invitation", pv, p)
	case invitationRefused(w, p, err):
	case errs.KindOf(err) == errs.KindInvalid:
		pv.Error = "This password cannot be used: " + fieldMessage(err, "password") + "."
		render(w, http.StatusBadRequest, "invitation", pv, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

// invitationRefused renders the page of an invitation that the last
// step of a sign-in could not accept, and reports whether err was that.
func invitationRefused(w http.ResponseWriter, p identity.Page, err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) || e.Type != identity.TypeInvalidInvitation {
		return false
	}
	render(w, http.StatusGone, "notice", view{SaaSName: p.SaaSName, Title: "This invitation is no longer valid",
		Notice: "It was accepted already, withdrawn or expired, or it is for another address. Ask for a new one."}, p)
	return true
}

// fieldMessage is what an invalid-input error says of one field.
func fieldMessage(err error, field string) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Fields[field] != "" {
		return e.Fields[field]
	}
	return "it does not meet the rules"
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
