// Package mailapi serves /v1/mail, saasplane's own API family for the
// mail it sends to a SaaS's users: the outbox, readable whether or not an
// SMTP server is configured (rules in internal/mail).
package mailapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/mail"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/mail"

// Handler serves the mail routes.
type Handler struct{ svc *mail.Service }

// New returns the handler over svc.
func New(svc *mail.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	rt.HandleFunc("GET "+Prefix+"/messages", h.list)
}

type messageResp struct {
	ID            string `json:"id"`
	Purpose       string `json:"purpose"`
	From          string `json:"from"`
	ReplyTo       string `json:"reply_to,omitempty"`
	To            string `json:"to"`
	Subject       string `json:"subject"`
	Text          string `json:"text"`
	MessageID     string `json:"message_id"`
	Status        string `json:"status"`
	Attempts      int    `json:"attempts"`
	LastError     string `json:"last_error,omitempty"`
	CreatedAt     int64  `json:"created_at"`
	LastAttemptAt *int64 `json:"last_attempt_at,omitempty"`
	SentAt        *int64 `json:"sent_at,omitempty"`
}

func unixOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

// ToResp is a message on the wire; the CLI prints the same shape.
func ToResp(m mail.Message) any {
	return messageResp{ID: m.ID, Purpose: m.Purpose, From: m.From, ReplyTo: m.ReplyTo, To: m.To, Subject: m.Subject, Text: m.Text,
		MessageID: m.MessageIDHeader, Status: string(m.Status), Attempts: m.Attempts, LastError: m.LastError,
		CreatedAt: m.CreatedAt.Unix(), LastAttemptAt: unixOrNil(m.LastAttemptAt), SentAt: unixOrNil(m.SentAt)}
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > mail.MaxList {
			var fe errs.FieldErrors
			fe.Add("limit", "must be an integer from 1 to %d", mail.MaxList)
			return fe.Err()
		}
		limit = n
	}
	ms, err := h.svc.List(r.Context(), httpx.SaaSID(r.Context()), limit)
	if err != nil {
		return err
	}
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = ToResp(m)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
	return nil
}
