package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/identity"
)

// The SaaS's notification messages: the templates of its users' mail
// (rules in internal/identity).

func (h *Handler) getNotificationMessages(w http.ResponseWriter, r *http.Request) error {
	t, err := h.identity.TemplatesOf(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) putNotificationMessages(w http.ResponseWriter, r *http.Request) error {
	var t identity.Templates
	if err := httpx.DecodeJSON(r, &t); err != nil {
		return err
	}
	return empty(w, h.identity.SetTemplates(r.Context(), saasID(r), t))
}
