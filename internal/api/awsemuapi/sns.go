package awsemuapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

// The SNS side of the emulator: the signing certificate, the SubscribeURL
// and UnsubscribeURL that messages point to (unauthenticated, like SNS's),
// the admin routes of the notification endpoint, and the HTTP poster of
// the deliverer.

const snsNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"

// registerSNS adds the unauthenticated SNS routes.
func (h *Handler) registerSNS(root *httpx.Router) {
	root.HandleFunc("GET /aws/sns/cert.pem", h.handleSNSCert)
	root.Handle("GET /aws/sns/confirm", http.HandlerFunc(h.serveSNSConfirm))
	root.Handle("GET /aws/sns/unsubscribe", http.HandlerFunc(h.serveSNSUnsubscribe))
}

func (h *Handler) handleSNSCert(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.SNSCertificatePEM(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
	return nil
}

type snsError struct {
	XMLName   xml.Name `xml:"http://sns.amazonaws.com/doc/2010-03-31/ ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// writeSNSError answers err as SNS does: InvalidParameter 400, NotFound
// 404, anything else InternalError 500.
func writeSNSError(w http.ResponseWriter, r *http.Request, err error, requestID string) {
	status, code, typ, msg := http.StatusInternalServerError, "InternalError", "Receiver", "internal error"
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.KindInternal {
		status, code, typ, msg = http.StatusBadRequest, e.WireType(), "Sender", e.Message
		if e.Kind == errs.KindNotFound || e.Type == "NotFound" {
			status = http.StatusNotFound
		}
	} else {
		httpx.Logger(r.Context()).Error("aws emulator: SNS", "err", err)
	}
	writeXML(w, status, snsError{Type: typ, Code: code, Message: msg, RequestID: requestID})
}

func (h *Handler) serveSNSConfirm(w http.ResponseWriter, r *http.Request) {
	id := h.svc.RequestID()
	q := r.URL.Query()
	arn, err := h.svc.ConfirmSubscription(r.Context(), q.Get("TopicArn"), q.Get("Token"))
	if err != nil {
		writeSNSError(w, r, err, id)
		return
	}
	writeXML(w, http.StatusOK, struct {
		XMLName         xml.Name `xml:"http://sns.amazonaws.com/doc/2010-03-31/ ConfirmSubscriptionResponse"`
		SubscriptionArn string   `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
		RequestID       string   `xml:"ResponseMetadata>RequestId"`
	}{SubscriptionArn: arn, RequestID: id})
}

func (h *Handler) serveSNSUnsubscribe(w http.ResponseWriter, r *http.Request) {
	id := h.svc.RequestID()
	if err := h.svc.Unsubscribe(r.Context(), r.URL.Query().Get("SubscriptionArn")); err != nil {
		writeSNSError(w, r, err, id)
		return
	}
	writeXML(w, http.StatusOK, struct {
		XMLName   xml.Name `xml:"http://sns.amazonaws.com/doc/2010-03-31/ UnsubscribeResponse"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{RequestID: id})
}

// ---- admin ----

type subscriptionJSON struct {
	TopicArn        string `json:"topic_arn"`
	SubscriptionArn string `json:"subscription_arn"`
	Status          string `json:"status"` // pending_confirmation or confirmed
	CreatedAt       string `json:"created_at"`
	ConfirmedAt     string `json:"confirmed_at,omitempty"`
}

func endpointJSON(e awsemu.NotificationEndpoint) map[string]any {
	subs := make([]subscriptionJSON, 0, len(e.Subscriptions))
	for _, s := range e.Subscriptions {
		sj := subscriptionJSON{TopicArn: s.TopicArn, SubscriptionArn: s.SubscriptionArn, Status: "pending_confirmation",
			CreatedAt: rfc3339(s.CreatedAt)}
		if s.Confirmed() {
			sj.Status, sj.ConfirmedAt = "confirmed", rfc3339(s.ConfirmedAt)
		}
		subs = append(subs, sj)
	}
	return map[string]any{"endpoint": e.Endpoint, "status": e.Status(), "created_at": rfc3339(e.CreatedAt), "subscriptions": subs}
}

func (h *Handler) handlePutNotifications(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := h.svc.SetNotificationEndpoint(r.Context(), httpx.SaaSID(r.Context()), in.Endpoint)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, endpointJSON(e))
	return nil
}

func (h *Handler) handleGetNotifications(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.GetNotificationEndpoint(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, endpointJSON(e))
	return nil
}

func (h *Handler) handleDeleteNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteNotificationEndpoint(r.Context(), httpx.SaaSID(r.Context())); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type snsMessageJSON struct {
	MessageID       string `json:"message_id"`
	Type            string `json:"type"`
	TopicArn        string `json:"topic_arn"`
	SubscriptionArn string `json:"subscription_arn"`
	Endpoint        string `json:"endpoint"`
	Message         string `json:"message"`
	Timestamp       string `json:"timestamp"`
	Status          string `json:"status"`
	Attempts        int    `json:"attempts"`
	LastError       string `json:"last_error,omitempty"`
	LastAttemptAt   string `json:"last_attempt_at,omitempty"`
	NextAttemptAt   string `json:"next_attempt_at,omitempty"`
	DeliveredAt     string `json:"delivered_at,omitempty"`
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (h *Handler) handleListSNSMessages(w http.ResponseWriter, r *http.Request) error {
	limit := 0
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errs.Invalid("limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	ds, err := h.svc.ListSNSDeliveries(r.Context(), httpx.SaaSID(r.Context()), limit)
	if err != nil {
		return err
	}
	out := make([]snsMessageJSON, 0, len(ds))
	for _, d := range ds {
		m := snsMessageJSON{MessageID: d.MessageID, Type: d.Type, TopicArn: d.TopicArn, SubscriptionArn: d.SubscriptionArn,
			Endpoint: d.Endpoint, Message: d.Message, Timestamp: d.PublishedAt.UTC().Format(awsemu.SNSTimestampFormat),
			Status: d.Status, Attempts: d.Attempts, LastError: d.LastError, LastAttemptAt: optTime(d.LastAttemptAt),
			DeliveredAt: optTime(d.DeliveredAt)}
		if d.Status == awsemu.DeliveryPending {
			m.NextAttemptAt = optTime(d.NextAttemptAt)
		}
		out = append(out, m)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
	return nil
}

// ---- delivery over HTTP ----

// HTTPPoster posts SNS messages with an HTTP client; a status other than
// 2xx is an error.
type HTTPPoster struct {
	// Client sends the requests; nil means a client with a 15 s timeout.
	Client *http.Client
}

var defaultPosterClient = &http.Client{Timeout: 15 * time.Second}

// Post implements awsemu.Poster.
func (p HTTPPoster) Post(ctx context.Context, endpoint string, header map[string]string, body []byte) error {
	c := p.Client
	if c == nil {
		c = defaultPosterClient
	}
	_, err := httpx.Post(ctx, c, endpoint, header, body)
	return err
}

var _ awsemu.Poster = HTTPPoster{}
