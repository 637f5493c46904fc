package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// A user's second factor: the TOTP authenticator app and whether sign-in
// asks for its code (rules in internal/identity).

func (h *Handler) createSecretCode(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AccessToken *string `json:"access_token"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.AccessToken == nil {
		var fe errs.FieldErrors
		fe.Add("access_token", "is required")
		return fe.Err()
	}
	secret, err := h.identity.CreateSecretCode(r.Context(), saasID(r), r.PathValue("user_id"), *req.AccessToken)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"secret_code": secret})
	return nil
}

func (h *Handler) updateSoftwareToken(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AccessToken      *string `json:"access_token"`
		VerificationCode *string `json:"verification_code"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.AccessToken == nil {
		fe.Add("access_token", "is required")
	}
	if req.VerificationCode == nil {
		fe.Add("verification_code", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return empty(w, h.identity.VerifySoftwareToken(r.Context(), saasID(r), r.PathValue("user_id"), *req.AccessToken, *req.VerificationCode))
}

func (h *Handler) getMFAPreference(w http.ResponseWriter, r *http.Request) error {
	on, err := h.identity.MFAPreference(r.Context(), saasID(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	resp := map[string]any{"enabled": on}
	if on {
		resp["method"] = identity.MFAMethod
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func (h *Handler) updateMFAPreference(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Enabled *bool  `json:"enabled"`
		Method  string `json:"method"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		var fe errs.FieldErrors
		fe.Add("enabled", "is required")
		return fe.Err()
	}
	return empty(w, h.identity.SetMFAPreference(r.Context(), saasID(r), r.PathValue("user_id"), *req.Enabled, req.Method))
}
