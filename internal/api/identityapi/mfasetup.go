package identityapi

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Setting up an authenticator app at sign-in, when the SaaS requires a
// second factor and the user has none yet (sign-in settings'
// mfa_configuration "on"). Rules in internal/identity/mfa.go.

func mfaSetupPath(saasID string) string { return Prefix + saasID + "/mfa-setup" }

// setupView is what the setup page shows of a new secret: its QR code (a
// PNG data: URL of the otpauth:// URL) and the key in groups of four, to
// type by hand.
type setupView struct {
	QR, Key, Secret string
}

func newSetupView(s identity.TOTPSetup) setupView {
	png, err := qrcode.Encode(s.URL, qrcode.Medium, 384)
	v := setupView{Secret: s.Secret}
	if err == nil {
		v.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	}
	var groups []string
	for k := s.Secret; k != ""; {
		n := min(4, len(k))
		groups, k = append(groups, k[:n]), k[n:]
	}
	v.Key = strings.Join(groups, " ")
	return v
}

// renderSetup shows the setup page of s; v carries the form's CSRF
// token, challenge, invitation and any error.
func renderSetup(w http.ResponseWriter, status int, p identity.Page, v view, s identity.TOTPSetup) {
	v.SaaSName, v.Title, v.Action, v.Setup = p.SaaSName, "Set up two-step verification", mfaSetupPath(p.SaaSID), newSetupView(s)
	render(w, status, "mfa-setup", v, p)
}

// mfaSetup answers the setup challenge with the new app's first code.
func (h *Handler) mfaSetup(w http.ResponseWriter, r *http.Request) error {
	p, v, ok := h.post(w, r, "Set up two-step verification", mfaSetupPath)
	if !ok {
		return nil
	}
	st, err := h.svc.MFASetupToCallback(r.Context(), p.SaaSID, v.Challenge, strings.TrimSpace(r.PostFormValue("code")), v.Invitation)
	var e *errs.Error
	switch {
	case err == nil && step(w, r, p.SaaSID, p, v.CSRF, st):
	case invitationRefused(w, p, err):
	case errors.As(err, &e) && e.Type == identity.TypeMFAFailed:
		setup, serr := h.svc.PendingSetup(r.Context(), p.SaaSID, v.Challenge)
		if serr != nil || setup.Secret == "" {
			v.Title, v.Notice, v.Retry = "Please sign in again", "The setup ended: sign in again to set up your app.", signInPath(p.SaaSID)
			render(w, http.StatusUnauthorized, "notice", v, p)
			return nil
		}
		v.Error = "That code is not right. Enter the code your app shows now."
		renderSetup(w, http.StatusUnauthorized, p, v, setup)
	case codeStepEnded(w, p, v, err):
	default:
		h.notice(w, r, p, err)
	}
	return nil
}
