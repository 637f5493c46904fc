package aws

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// The AWS Marketplace SNS topics of a product live in AWS's own account.
const (
	subscriptionTopicPrefix = "aws-mp-subscription-notification-"
	entitlementTopicPrefix  = "aws-mp-entitlement-notification-"
)

// Notification is one AWS Marketplace message delivered by SNS.
type Notification struct {
	MessageID string
	TopicArn  string
	SentAt    time.Time // SNS's Timestamp
	// From the message body.
	Action             string // subscribe-success, subscribe-fail, unsubscribe-pending, unsubscribe-success, entitlement-updated
	CustomerIdentifier string
	ProductCode        string
}

// Outcomes of a notification, as recorded, besides
// marketplace.OutcomeApplied, OutcomeDuplicate (the same MessageId was
// processed before) and OutcomeStale (older than a subscription change
// already applied).
const (
	OutcomeUnknownCustomer = "unknown_customer" // not linked (yet): recorded, nothing to change
	OutcomeIgnored         = "ignored"          // an action saasplane does not act on
)

// ParseNotificationBody reads an AWS Marketplace message body. Both key
// spellings seen in AWS's documents are accepted (customer-identifier and
// CustomerIdentifier, product-code and ProductCode).
func ParseNotificationBody(body string) (action, customer, product string, err error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return "", "", "", errs.Invalid("the SNS Message is not a JSON object: %v", err)
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := m[k].(string); ok && v != "" {
				return v
			}
		}
		return ""
	}
	action = get("action")
	customer = get("customer-identifier", "CustomerIdentifier")
	product = get("product-code", "ProductCode")
	if action == "" || customer == "" || product == "" {
		return "", "", "", errs.Invalid("the SNS Message lacks action, customer-identifier or product-code")
	}
	return action, customer, product, nil
}

// CheckTopic verifies that a topic is one of the two AWS Marketplace topics
// of the SaaS's product, before saasplane confirms a subscription to it or
// acts on its messages.
func (s *Service) CheckTopic(ctx context.Context, saasID, topicArn string) error {
	st, err := s.settings(ctx, saasID)
	if err != nil {
		return err
	}
	if st.ProductCode == "" {
		return errs.Conflict("the AWS Marketplace settings have no product_code: notifications cannot be checked").WithType("aws_settings_incomplete")
	}
	name := topicArn[strings.LastIndexByte(topicArn, ':')+1:]
	if !strings.HasPrefix(topicArn, "arn:aws:sns:") ||
		(name != subscriptionTopicPrefix+st.ProductCode && name != entitlementTopicPrefix+st.ProductCode) {
		return errs.Invalid("topic %q is not an AWS Marketplace topic of product %q", topicArn, st.ProductCode).WithType("wrong_topic")
	}
	return nil
}

// HandleNotification applies an AWS Marketplace notification to the
// buyer it names and records it; the same message twice changes nothing
// the second time, and a subscription message older than one already
// applied to that buyer is recorded but not applied. It returns the
// outcome. An error means nothing was recorded, so SNS's redelivery will
// process the message again.
func (s *Service) HandleNotification(ctx context.Context, saasID string, n Notification) (string, error) {
	if err := s.CheckTopic(ctx, saasID, n.TopicArn); err != nil {
		return "", err
	}
	st, err := s.settings(ctx, saasID)
	if err != nil {
		return "", err
	}
	if n.ProductCode != st.ProductCode {
		return "", errs.Invalid("the notification is about product %q, not %q", n.ProductCode, st.ProductCode).WithType("wrong_product")
	}
	var seen bool
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		seen, err = tx.NotificationSeen(ctx, saasID, n.MessageID)
		return err
	}); err != nil || seen {
		return marketplace.OutcomeDuplicate, err
	}

	if n.Action == "entitlement-updated" {
		outcome := marketplace.OutcomeApplied
		if err := s.SyncCustomer(ctx, saasID, n.CustomerIdentifier); errs.KindOf(err) == errs.KindNotFound {
			outcome = OutcomeUnknownCustomer
		} else if err != nil {
			return "", err
		}
		return outcome, s.record(ctx, saasID, n, outcome)
	}

	status, plan := subscriptionEffect(n.Action)
	if status == "" {
		return OutcomeIgnored, s.record(ctx, saasID, n, OutcomeIgnored)
	}
	var c AWSCustomer
	outcome := marketplace.OutcomeApplied
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		outcome = marketplace.OutcomeApplied
		if seen, err := tx.NotificationSeen(ctx, saasID, n.MessageID); err != nil || seen {
			outcome = marketplace.OutcomeDuplicate
			return err
		}
		c, err = tx.AWSCustomer(ctx, saasID, n.CustomerIdentifier)
		switch {
		case errors.Is(err, errs.ErrNotExist):
			outcome = OutcomeUnknownCustomer
		case err != nil:
			return err
		default:
			last, err := tx.LastSubscriptionNotification(ctx, saasID, n.CustomerIdentifier)
			if err != nil {
				return err
			}
			if n.SentAt.Before(last) {
				outcome = marketplace.OutcomeStale
				break
			}
			c.Status, c.UpdatedAt = status, s.now()
			if err := tx.PutAWSCustomer(ctx, saasID, c); err != nil {
				return err
			}
		}
		return tx.RecordNotification(ctx, saasID, n, outcome, s.now())
	})
	if err != nil || outcome != marketplace.OutcomeApplied {
		return outcome, err
	}
	switch plan {
	case planEnd:
		return outcome, s.applyPlan(ctx, saasID, AWSCustomer{TenantID: c.TenantID, Status: CustomerUnsubscribed})
	case planSync:
		if err := s.SyncCustomer(ctx, saasID, n.CustomerIdentifier); err != nil {
			// Recorded as applied: the status is right; the plan follows at
			// the next sync or entitlement notification.
			s.log.Warn("AWS subscribe-success: entitlements could not be read", "saas_id", saasID,
				"customer_identifier", n.CustomerIdentifier, "err", err)
		}
	}
	return outcome, nil
}

func (s *Service) record(ctx context.Context, saasID string, n Notification, outcome string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if seen, err := tx.NotificationSeen(ctx, saasID, n.MessageID); err != nil || seen {
			return err
		}
		return tx.RecordNotification(ctx, saasID, n, outcome, s.now())
	})
}

type planEffect int

const (
	planKeep planEffect = iota
	planEnd             // the subscription is over or never started: no plan
	planSync            // read the entitlements and follow them
)

// subscriptionEffect is what a subscription topic action does to the
// buyer's status and the tenant's plan ("" status: not acted on).
func subscriptionEffect(action string) (CustomerStatus, planEffect) {
	switch action {
	case "subscribe-success":
		return CustomerSubscribed, planSync
	case "subscribe-fail":
		return CustomerSubscribeFailed, planEnd
	case "unsubscribe-pending":
		return CustomerUnsubscribePending, planKeep // final usage may still be reported for an hour
	case "unsubscribe-success":
		return CustomerUnsubscribed, planEnd
	}
	return "", planKeep
}
