package awsmarketplaceapi

import (
	"io"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// NotificationsPattern is the HTTPS endpoint to subscribe to the product's
// AWS Marketplace SNS topics. SNS posts without any SaaSus signature; each
// message carries SNS's own.
const NotificationsPattern = "POST /awsmarketplace/notifications/{saas_id}"

// maxSNSBytes bounds an SNS message (SNS allows 256 KiB).
const maxSNSBytes = 256 << 10

type outcomeBody struct {
	Outcome string `json:"outcome"`
}

// notify receives an SNS message: it checks its signature, confirms a
// subscription to one of the product's two topics, and applies
// notifications. A 2xx tells SNS the message is handled; anything else
// makes SNS deliver it again later.
func (h *Handler) notify(w http.ResponseWriter, r *http.Request) error {
	if h.sns == nil {
		return errs.E(errs.KindUnavailable, "this server does not verify SNS messages")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSNSBytes))
	if err != nil {
		return errs.E(errs.KindTooLarge, "an SNS message is at most %d bytes", maxSNSBytes)
	}
	m, err := awsmp.ParseSNSMessage(b)
	if err != nil {
		return errs.Invalid("%v", err)
	}
	if err := h.sns.Verify(r.Context(), m); err != nil {
		return errs.E(errs.KindUnauthorized, "%v", err).WithType("invalid_sns_signature")
	}
	saasID := r.PathValue("saas_id")
	switch m.Type {
	case "SubscriptionConfirmation":
		if err := h.svc.CheckTopic(r.Context(), saasID, m.TopicArn); err != nil {
			return err
		}
		if err := h.sns.Confirm(r.Context(), m); err != nil {
			return errs.E(errs.KindUnavailable, "%v", err)
		}
		httpx.WriteJSON(w, http.StatusOK, outcomeBody{Outcome: "confirmed"})
		return nil
	case "UnsubscribeConfirmation":
		httpx.WriteJSON(w, http.StatusOK, outcomeBody{Outcome: "ignored"})
		return nil
	}
	action, customer, product, err := aws.ParseNotificationBody(m.Message)
	if err != nil {
		return err
	}
	sent, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	if err != nil {
		return errs.Invalid("SNS Timestamp %q is not RFC 3339", m.Timestamp)
	}
	outcome, err := h.svc.HandleNotification(r.Context(), saasID, aws.Notification{
		MessageID: m.MessageID, TopicArn: m.TopicArn, SentAt: sent,
		Action: action, CustomerIdentifier: customer, ProductCode: product,
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, outcomeBody{Outcome: outcome})
	return nil
}
