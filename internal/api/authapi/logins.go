package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

// Changing a user's email or sign-in id (rules in internal/identity).

// stringFields decodes a body of string fields, all required.
func stringFields(r *http.Request, names ...string) (map[string]string, error) {
	var req map[string]*string
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	var fe errs.FieldErrors
	for _, n := range names {
		if v := req[n]; v != nil {
			out[n] = *v
		} else {
			fe.Add(n, "is required")
		}
	}
	return out, fe.Err()
}

func (h *Handler) updateEmail(w http.ResponseWriter, r *http.Request) error {
	f, err := stringFields(r, "email")
	if err != nil {
		return err
	}
	return empty(w, h.identity.SetEmail(r.Context(), saasID(r), r.PathValue("user_id"), f["email"]))
}

func (h *Handler) updateSignInID(w http.ResponseWriter, r *http.Request) error {
	f, err := stringFields(r, "sign_in_id")
	if err != nil {
		return err
	}
	return empty(w, h.identity.SetSignInID(r.Context(), saasID(r), r.PathValue("user_id"), f["sign_in_id"]))
}

func (h *Handler) requestEmailUpdate(w http.ResponseWriter, r *http.Request) error {
	f, err := stringFields(r, "email", "access_token")
	if err != nil {
		return err
	}
	return empty(w, h.identity.RequestEmailChange(r.Context(), saasID(r), r.PathValue("user_id"), f["access_token"], f["email"]))
}

func (h *Handler) confirmEmailUpdate(w http.ResponseWriter, r *http.Request) error {
	f, err := stringFields(r, "code", "access_token")
	if err != nil {
		return err
	}
	return empty(w, h.identity.ConfirmEmailChange(r.Context(), saasID(r), r.PathValue("user_id"), f["access_token"], f["code"]))
}
