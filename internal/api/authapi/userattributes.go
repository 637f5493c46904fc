package authapi

import (
	"encoding/json"
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/identity"
)

// The declared user attributes: per tenant (/user-attributes) and
// SaaS-wide (/saas-user-attributes), and a user's SaaS-wide values.

func (h *Handler) listUserAttributes(w http.ResponseWriter, r *http.Request) error {
	as, err := h.identity.UserAttributes(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := []attributeResp{}
	for _, a := range as {
		if !a.SaaSWide {
			out = append(out, toAttributeResp(a.Decl))
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user_attributes": out})
	return nil
}

func (h *Handler) createUserAttribute(w http.ResponseWriter, r *http.Request) error {
	return h.declareUserAttribute(w, r, false)
}

func (h *Handler) createSaaSUserAttribute(w http.ResponseWriter, r *http.Request) error {
	return h.declareUserAttribute(w, r, true)
}

func (h *Handler) declareUserAttribute(w http.ResponseWriter, r *http.Request, saasWide bool) error {
	var req attributeReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	a, err := req.toAttribute()
	if err != nil {
		return err
	}
	if err := h.identity.CreateUserAttribute(r.Context(), saasID(r), identity.UserAttribute{Decl: a, SaaSWide: saasWide}); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toAttributeResp(a))
	return nil
}

func (h *Handler) deleteUserAttribute(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.identity.DeleteUserAttribute(r.Context(), saasID(r), r.PathValue("attribute_name")))
}

func (h *Handler) updateUserAttributes(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Attributes json.RawMessage `json:"attributes"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	attrs, err := requiredAttributes(req.Attributes)
	if err != nil {
		return err
	}
	return empty(w, h.identity.UpdateUserAttributes(r.Context(), saasID(r), r.PathValue("user_id"), attrs))
}
