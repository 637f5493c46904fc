// Package eventsapi serves /v1/events, saasplane's outbound events: the
// SaaS's webhook endpoints, each endpoint's deliveries (dead letters
// among them) with redelivery, and the recent events; and Middleware,
// which makes an event of every non-GET call. Requests are checked
// against api/events.yaml before they get here.
package eventsapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/events"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/events"

// Handler serves the events routes.
type Handler struct{ svc *events.Service }

// New returns the handler over svc.
func New(svc *events.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	const w = Prefix + "/webhooks"
	rt.HandleFunc("POST "+w, h.createEndpoint)
	rt.HandleFunc("GET "+w, h.listEndpoints)
	rt.HandleFunc("GET "+w+"/{webhook_id}", h.getEndpoint)
	rt.HandleFunc("DELETE "+w+"/{webhook_id}", h.deleteEndpoint)
	rt.HandleFunc("GET "+w+"/{webhook_id}/deliveries", h.listDeliveries)
	rt.HandleFunc("POST "+w+"/{webhook_id}/deliveries/{event_id}/redeliver", h.redeliver)
	rt.HandleFunc("GET "+Prefix+"/events", h.listEvents)
}

type endpointResp struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Description string `json:"description"`
	CreatedAt   int64  `json:"created_at"`
	Secret      string `json:"secret,omitempty"` // only when created
}

func toEndpoint(e events.Endpoint) endpointResp {
	return endpointResp{ID: e.ID, URL: e.URL, Description: e.Description, CreatedAt: e.CreatedAt.Unix(), Secret: e.Secret}
}

func (h *Handler) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		URL         string `json:"url"`
		Description string `json:"description"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	e, err := h.svc.CreateEndpoint(r.Context(), httpx.SaaSID(r.Context()), req.URL, req.Description)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toEndpoint(e))
	return nil
}

func (h *Handler) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	es, err := h.svc.Endpoints(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]endpointResp, len(es))
	for i, e := range es {
		out[i] = toEndpoint(e)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"webhooks": out})
	return nil
}

func (h *Handler) getEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.Endpoint(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("webhook_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toEndpoint(e))
	return nil
}

func (h *Handler) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEndpoint(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("webhook_id")); err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

type deliveryResp struct {
	EventID       string `json:"event_id"`
	EventSeq      int64  `json:"event_seq"`
	EventType     string `json:"event_type"`
	State         string `json:"state"`
	Attempts      int    `json:"attempts"`
	NextAttemptAt *int64 `json:"next_attempt_at,omitempty"` // pending only
	FirstFailedAt *int64 `json:"first_failed_at,omitempty"`
	LastAttemptAt *int64 `json:"last_attempt_at,omitempty"`
	LastStatus    int    `json:"last_status"`
	LastError     string `json:"last_error"`
	DeliveredAt   *int64 `json:"delivered_at,omitempty"`
}

func unix(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

func toDelivery(d events.Delivery) deliveryResp {
	out := deliveryResp{EventID: d.EventID, EventSeq: d.EventSeq, EventType: d.EventType, State: string(d.State),
		Attempts: d.Attempts, FirstFailedAt: unix(d.FirstFailedAt), LastAttemptAt: unix(d.LastAttemptAt),
		LastStatus: d.LastStatus, LastError: d.LastError, DeliveredAt: unix(d.DeliveredAt)}
	if d.State == events.Queued {
		out.NextAttemptAt = unix(d.NextAt)
	}
	return out
}

// page reads the limit and before (a seq) of a list.
func page(r *http.Request) (limit int, before int64, err error) {
	q := r.URL.Query()
	var fe errs.FieldErrors
	limit = 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			fe.Add("limit", "must be an integer from 1 to 100")
		}
		limit = n
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add("before", "must be an event seq (a positive integer)")
		}
		before = n
	}
	return limit, before, fe.Err()
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	limit, before, err := page(r)
	if err != nil {
		return err
	}
	f := events.DeliveryFilter{State: events.State(r.URL.Query().Get("state")), BeforeSeq: before, Limit: limit}
	ds, err := h.svc.Deliveries(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("webhook_id"), f)
	if err != nil {
		return err
	}
	out := make([]deliveryResp, len(ds))
	for i, d := range ds {
		out[i] = toDelivery(d)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": out})
	return nil
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Redeliver(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("webhook_id"), r.PathValue("event_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toDelivery(d))
	return nil
}

type eventResp struct {
	ID        string          `json:"id"`
	Seq       int64           `json:"seq"`
	EventType string          `json:"event_type"`
	TraceID   string          `json:"trace_id"`
	Time      int64           `json:"time"`
	Body      json.RawMessage `json:"body"`
}

func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	limit, before, err := page(r)
	if err != nil {
		return err
	}
	es, err := h.svc.Events(r.Context(), httpx.SaaSID(r.Context()), before, limit)
	if err != nil {
		return err
	}
	out := make([]eventResp, len(es))
	for i, e := range es {
		out[i] = eventResp{ID: e.ID, Seq: e.Seq, EventType: e.Type, TraceID: e.TraceID, Time: e.CreatedAt.Unix(), Body: e.Body}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}
