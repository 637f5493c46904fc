// Package integrationapi serves /v1/integration, the SaaSus Integration
// API: each SaaS's Amazon EventBridge settings and the events sent there
// now, kept and sent by internal/integration. Requests are checked against
// api/integration.yaml before they get here.
package integrationapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/integration"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/integration"

// Handler serves the Integration routes.
type Handler struct{ svc *integration.Service }

// New returns the handler over svc.
func New(svc *integration.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	const eb = Prefix + "/eventbridge"
	rt.HandleFunc("GET "+eb+"/info", h.getSettings)
	rt.HandleFunc("PUT "+eb+"/info", h.saveSettings)
	rt.HandleFunc("DELETE "+eb+"/info", h.deleteSettings)
	rt.HandleFunc("POST "+eb+"/event", h.createEvent)
	rt.HandleFunc("POST "+eb+"/test-event", h.createTestEvent)
	rt.HandleFunc("GET "+Prefix+"/errors/internal-server-error", h.internalServerError)
}

type settingsJSON struct {
	AWSAccountID string `json:"aws_account_id"`
	AWSRegion    string `json:"aws_region"`
}

type eventMessageJSON struct {
	EventType       string `json:"event_type"`
	EventDetailType string `json:"event_detail_type"`
	Message         string `json:"message"`
}

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.GetEventBridgeSettings(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, settingsJSON{AWSAccountID: s.AWSAccountID, AWSRegion: s.AWSRegion})
	return nil
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) error {
	var in settingsJSON
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	err := h.svc.SaveEventBridgeSettings(r.Context(), httpx.SaaSID(r.Context()),
		integration.EventBridgeSettings{AWSAccountID: in.AWSAccountID, AWSRegion: in.AWSRegion})
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) deleteSettings(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEventBridgeSettings(r.Context(), httpx.SaaSID(r.Context())); err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) createEvent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		EventMessages []eventMessageJSON `json:"event_messages"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	msgs := make([]integration.EventMessage, len(in.EventMessages))
	for i, m := range in.EventMessages {
		msgs[i] = integration.EventMessage{EventType: m.EventType, EventDetailType: m.EventDetailType, Message: m.Message}
	}
	if err := h.svc.CreateEventBridgeEvent(r.Context(), httpx.SaaSID(r.Context()), msgs); err != nil {
		return err
	}
	httpx.WriteEmptyStatus(w, http.StatusCreated)
	return nil
}

func (h *Handler) createTestEvent(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CreateEventBridgeTestEvent(r.Context(), httpx.SaaSID(r.Context())); err != nil {
		return err
	}
	httpx.WriteEmptyStatus(w, http.StatusCreated)
	return nil
}

// internalServerError always fails, so SDKs can test their error handling.
func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}
