package identityapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The pages for people who are not signed in: signing oneself up (when
// the SaaS allows it) and choosing a new password with a mailed code.
// Rules in internal/identity/selfservice.go; neither page tells whether
// an account exists.

func forgotPath(saasID string) string { return Prefix + saasID + "/forgot-password" }
func resetPath(saasID string) string  { return Prefix + saasID + "/reset-password" }
func signUpPath(saasID string) string { return Prefix + saasID + "/sign-up" }

func signUpClosed(w http.ResponseWriter, p identity.Page) {
	render(w, http.StatusNotFound, "notice", view{SaaSName: p.SaaSName, Title: "Sign-up is not open",
		Notice: p.SaaSName + " does not let people create accounts here. Ask its team for an invitation.",
		Retry:  signInPath(p.SaaSID), RetryText: "Sign in"}, p)
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request) error {
	p, ok := h.page(w, r)
	switch {
	case !ok:
	case !p.SelfSignUp:
		signUpClosed(w, p)
	default:
		render(w, http.StatusOK, "sign-up", view{SaaSName: p.SaaSName, Title: "Create your account", Action: signUpPath(p.SaaSID),
			CSRF: h.csrfToken(w, r, p.SaaSID)}, p)
	}
	return nil
}

func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Create your account", signUpPath)
	if !ok {
		return nil
	}
	v.Login = strings.TrimSpace(r.PostFormValue("email"))
	err := h.svc.SelfSignUp(r.Context(), p.SaaSID, v.Login)
	var e *errs.Error
	switch {
	case err == nil:
		render(w, http.StatusOK, "notice", view{SaaSName: p.SaaSName, Title: "Check your mail",
			Notice: "We sent a temporary password to " + v.Login + ". Sign in with it, then choose a password of your own. " +
				"If no mail comes, check the address, or your spam folder.",
			Retry: signInPath(p.SaaSID), RetryText: "Sign in"}, p)
	case errors.As(err, &e) && e.Type == identity.TypeSignUpClosed:
		signUpClosed(w, p)
	case errs.KindOf(err) == errs.KindInvalid:
		v.Error = "Enter a valid email address."
		render(w, http.StatusBadRequest, "sign-up", v, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	if p, ok := h.page(w, r); ok {
		render(w, http.StatusOK, "forgot", view{SaaSName: p.SaaSName, Title: "Forgot your password?", Action: forgotPath(p.SaaSID),
			CSRF: h.csrfToken(w, r, p.SaaSID)}, p)
	}
	return nil
}

func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Forgot your password?", forgotPath)
	if !ok {
		return nil
	}
	v.Login = strings.TrimSpace(r.PostFormValue("login"))
	err := h.svc.RequestPasswordReset(r.Context(), p.SaaSID, v.Login)
	switch {
	case err == nil:
		v.Title, v.Action = "Choose a new password", resetPath(p.SaaSID)
		render(w, http.StatusOK, "reset", v, p)
	case errs.KindOf(err) == errs.KindInvalid:
		v.Error = "Enter the email of your account."
		render(w, http.StatusBadRequest, "forgot", v, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Choose a new password", resetPath)
	if !ok {
		return nil
	}
	v.Login = r.PostFormValue("login")
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		v.Error = "The two passwords are not the same."
		render(w, http.StatusBadRequest, "reset", v, p)
		return nil
	}
	err := h.svc.ResetPasswordWithCode(r.Context(), p.SaaSID, v.Login, strings.TrimSpace(r.PostFormValue("code")), password)
	var e *errs.Error
	switch {
	case err == nil:
		httpx.Logger(r.Context()).Info("password reset by code", "saas_id", p.SaaSID)
		render(w, http.StatusOK, "sign-in", view{SaaSName: p.SaaSName, Title: "Sign in", Action: signInPath(p.SaaSID), CSRF: v.CSRF,
			Login: v.Login, Success: "Your password was changed. Sign in with your new password."}, p)
	case errors.As(err, &e) && e.Type == identity.TypeLocked:
		v.Error = "Too many wrong codes. Wait a few minutes, then try again."
		render(w, http.StatusTooManyRequests, "reset", v, p)
	case errors.As(err, &e) && e.Fields["password"] != "":
		v.Error = "This password cannot be used: " + e.Fields["password"] + "."
		render(w, http.StatusBadRequest, "reset", v, p)
	case errs.KindOf(err) == errs.KindInvalid:
		v.Error = "That code is not right, or it expired. Check the mail, or send a new code."
		render(w, http.StatusBadRequest, "reset", v, p)
	default:
		h.notice(w, r, p, err)
	}
	return nil
}
