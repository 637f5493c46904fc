package awsemu

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sync"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// SNS notifications. A SaaS sets one HTTP endpoint; it is subscribed to
// both topics of every product of the SaaS (present and future), one SNS
// subscription per topic, each confirmed through its own
// SubscriptionConfirmation as SNS does. Notifications are written to an
// outbox (SNSDelivery rows) in the transaction of the purchase change and
// posted by a Deliverer; a subscription not yet confirmed keeps its
// notifications queued until it is (AWS drops them: the emulator queues,
// so the first purchase of a new product, which creates its topics, is
// not lost).

// The account and region of AWS Marketplace's SNS topics.
const (
	SNSRegion  = "us-east-1"
	SNSAccount = "287250355862"
)

// The SNS message types.
const (
	SNSTypeNotification = "Notification"
	SNSTypeConfirmation = "SubscriptionConfirmation"
)

// The delivery states of an outbox message.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"  // retries exhausted, or the subscription was deleted
	DeliveryDropped   = "dropped" // lost on purpose by a DeliverNotification fault
)

// The subscription notification actions.
const (
	ActionSubscribeSuccess   = "subscribe-success"
	ActionSubscribeFail      = "subscribe-fail"
	ActionUnsubscribePending = "unsubscribe-pending"
	ActionUnsubscribeSuccess = "unsubscribe-success"
	ActionEntitlementUpdated = "entitlement-updated"
)

// SubscriptionTopicArn is the aws-mp-subscription-notification topic of a
// product.
func SubscriptionTopicArn(productCode string) string {
	return "arn:aws:sns:" + SNSRegion + ":" + SNSAccount + ":aws-mp-subscription-notification-" + productCode
}

// EntitlementTopicArn is the aws-mp-entitlement-notification topic of a
// product.
func EntitlementTopicArn(productCode string) string {
	return "arn:aws:sns:" + SNSRegion + ":" + SNSAccount + ":aws-mp-entitlement-notification-" + productCode
}

// SNSIdentity is the key and certificate the emulator signs messages with.
type SNSIdentity struct {
	KeyPEM    string
	CertPEM   string
	CreatedAt time.Time
}

// SNSSubscription is one topic's subscription of a SaaS's endpoint.
type SNSSubscription struct {
	SubscriptionArn string
	SaaSID          string
	TopicArn        string
	Endpoint        string
	Token           string
	CreatedAt       time.Time
	ConfirmedAt     time.Time // zero: pending confirmation
}

// Confirmed reports whether the SubscribeURL was visited.
func (s SNSSubscription) Confirmed() bool { return !s.ConfirmedAt.IsZero() }

// SNSDelivery is one outbox message to one subscription, with its delivery
// state.
type SNSDelivery struct {
	Seq             int64 // outbox order; set by the store
	MessageID       string
	SaaSID          string
	SubscriptionArn string
	Endpoint        string
	Type            string // SNSTypeNotification or SNSTypeConfirmation
	TopicArn        string
	Message         string
	Token           string // confirmations only
	PublishedAt     time.Time
	Status          string
	Attempts        int
	LastError       string
	LastAttemptAt   time.Time
	NextAttemptAt   time.Time
	DeliveredAt     time.Time
}

// NotificationEndpoint is a SaaS's endpoint and its subscriptions.
type NotificationEndpoint struct {
	Endpoint      string
	CreatedAt     time.Time
	Subscriptions []SNSSubscription
}

// Status is "confirmed" when every subscription is, "pending_confirmation"
// when one is not, and "no_topics" before the SaaS has a product.
func (e NotificationEndpoint) Status() string {
	if len(e.Subscriptions) == 0 {
		return "no_topics"
	}
	for _, s := range e.Subscriptions {
		if !s.Confirmed() {
			return "pending_confirmation"
		}
	}
	return "confirmed"
}

// ---- signing identity ----

// identityCache keeps the parsed identity once loaded.
type identityCache struct {
	mu   sync.Mutex
	key  *rsa.PrivateKey
	cert []byte // PEM
}

// SNSCertificatePEM returns the certificate messages are signed with,
// creating the identity on first use.
func (s *Service) SNSCertificatePEM(ctx context.Context) ([]byte, error) {
	_, cert, err := s.snsIdentity(ctx)
	return cert, err
}

// snsIdentity loads the signing identity, creating it when the database
// has none: insert-if-absent, then read, so concurrent processes agree.
func (s *Service) snsIdentity(ctx context.Context) (*rsa.PrivateKey, []byte, error) {
	s.identity.mu.Lock()
	defer s.identity.mu.Unlock()
	if s.identity.key != nil {
		return s.identity.key, s.identity.cert, nil
	}
	read := func() (id SNSIdentity, err error) {
		err = s.store.ReadTx(ctx, func(tx Tx) error {
			id, err = tx.SNSIdentity(ctx)
			return err
		})
		return id, err
	}
	id, err := read()
	if errors.Is(err, errs.ErrNotExist) {
		fresh, gerr := s.newSNSIdentity(s.Now())
		if gerr != nil {
			return nil, nil, gerr
		}
		if err := s.store.WriteTx(ctx, func(tx Tx) error { return tx.InsertSNSIdentity(ctx, fresh) }); err != nil {
			return nil, nil, fmt.Errorf("store SNS identity: %w", err)
		}
		id, err = read()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read SNS identity: %w", err)
	}
	blk, _ := pem.Decode([]byte(id.KeyPEM))
	if blk == nil {
		return nil, nil, errors.New("stored SNS key is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("stored SNS key: %w", err)
	}
	s.identity.key, s.identity.cert = key, []byte(id.CertPEM)
	return key, s.identity.cert, nil
}

// newSNSIdentity generates an RSA 2048 key and a self-signed certificate
// valid for 20 years.
func (s *Service) newSNSIdentity(now time.Time) (SNSIdentity, error) {
	key, err := rsa.GenerateKey(s.ids, 2048)
	if err != nil {
		return SNSIdentity{}, err
	}
	serial, err := rand.Int(s.ids, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return SNSIdentity{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sns.amazonaws.com (saasplane AWS Marketplace emulator)", Organization: []string{"saasplane"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(s.ids, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return SNSIdentity{}, err
	}
	return SNSIdentity{
		KeyPEM:    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		CertPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		CreatedAt: now,
	}, nil
}

// ---- endpoint and subscriptions ----

// MaxEndpointLength bounds a notification endpoint URL.
const MaxEndpointLength = 2048

func validateEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(endpoint) > MaxEndpointLength || u.User != nil {
		var fe errs.FieldErrors
		fe.Add("endpoint", "must be an absolute http:// or https:// URL of at most %d characters, without user info", MaxEndpointLength)
		return fe.Err()
	}
	return nil
}

// SetNotificationEndpoint subscribes endpoint to both topics of every
// product of the SaaS and queues a SubscriptionConfirmation per topic.
// Setting the same endpoint again changes nothing; another endpoint
// replaces the former (its subscriptions are deleted, their undelivered
// messages fail).
func (s *Service) SetNotificationEndpoint(ctx context.Context, saasID, endpoint string) (NotificationEndpoint, error) {
	if err := validateEndpoint(endpoint); err != nil {
		return NotificationEndpoint{}, err
	}
	now := s.Now()
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		cur, _, err := tx.NotificationEndpoint(ctx, saasID)
		switch {
		case errors.Is(err, errs.ErrNotExist):
		case err != nil:
			return err
		case cur == endpoint:
			return nil
		default:
			if err := s.unsubscribeAll(ctx, tx, saasID, "the endpoint was replaced"); err != nil {
				return err
			}
		}
		if err := tx.PutNotificationEndpoint(ctx, saasID, endpoint, now); err != nil {
			return err
		}
		products, err := tx.Products(ctx, saasID)
		if err != nil {
			return err
		}
		for _, p := range products {
			if _, err := s.ensureSubscriptions(ctx, tx, saasID, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return NotificationEndpoint{}, err
	}
	return s.GetNotificationEndpoint(ctx, saasID)
}

// GetNotificationEndpoint returns the SaaS's endpoint and subscriptions.
func (s *Service) GetNotificationEndpoint(ctx context.Context, saasID string) (e NotificationEndpoint, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		e.Endpoint, e.CreatedAt, err = tx.NotificationEndpoint(ctx, saasID)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("no notification endpoint is set: PUT %s/notifications", "/aws/marketplace/_emulator")
		}
		if err != nil {
			return err
		}
		e.Subscriptions, err = tx.SNSSubscriptions(ctx, saasID)
		return err
	})
	return e, err
}

// DeleteNotificationEndpoint removes the endpoint and its subscriptions;
// their undelivered messages fail.
func (s *Service) DeleteNotificationEndpoint(ctx context.Context, saasID string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if _, _, err := tx.NotificationEndpoint(ctx, saasID); errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("no notification endpoint is set")
		} else if err != nil {
			return err
		}
		if err := s.unsubscribeAll(ctx, tx, saasID, "the endpoint was deleted"); err != nil {
			return err
		}
		return tx.DeleteNotificationEndpoint(ctx, saasID)
	})
}

func (s *Service) unsubscribeAll(ctx context.Context, tx Tx, saasID, reason string) error {
	subs, err := tx.SNSSubscriptions(ctx, saasID)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := s.unsubscribe(ctx, tx, sub.SubscriptionArn, reason); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) unsubscribe(ctx context.Context, tx Tx, subscriptionArn, reason string) error {
	if err := tx.AbandonSNSDeliveries(ctx, subscriptionArn, reason, s.Now()); err != nil {
		return err
	}
	return tx.DeleteSNSSubscription(ctx, subscriptionArn)
}

// ensureSubscriptions subscribes the SaaS's endpoint to the two topics of
// a product, queueing a confirmation for each new subscription. It returns
// the subscriptions by topic ARN, or nil when the SaaS has no endpoint.
func (s *Service) ensureSubscriptions(ctx context.Context, tx Tx, saasID, productCode string) (map[string]SNSSubscription, error) {
	endpoint, _, err := tx.NotificationEndpoint(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	subs, err := tx.SNSSubscriptions(ctx, saasID)
	if err != nil {
		return nil, err
	}
	out := map[string]SNSSubscription{}
	for _, sub := range subs {
		out[sub.TopicArn] = sub
	}
	now := s.Now()
	for _, topic := range []string{SubscriptionTopicArn(productCode), EntitlementTopicArn(productCode)} {
		if _, ok := out[topic]; ok {
			continue
		}
		sub := SNSSubscription{SubscriptionArn: topic + ":" + s.newMeteringRecordID(), SaaSID: saasID, TopicArn: topic,
			Endpoint: endpoint, Token: hex.EncodeToString(s.ids.Bytes(64)), CreatedAt: now}
		if err := tx.InsertSNSSubscription(ctx, sub); err != nil {
			return nil, err
		}
		msg := "You have chosen to subscribe to the topic " + topic +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message."
		if err := s.queue(ctx, tx, sub, s.newDelivery(sub, SNSTypeConfirmation, msg)); err != nil {
			return nil, err
		}
		out[topic] = sub
	}
	return out, nil
}

func (s *Service) newDelivery(sub SNSSubscription, typ, message string) SNSDelivery {
	now := s.Now()
	d := SNSDelivery{MessageID: s.newMeteringRecordID(), SaaSID: sub.SaaSID, SubscriptionArn: sub.SubscriptionArn,
		Endpoint: sub.Endpoint, Type: typ, TopicArn: sub.TopicArn, Message: message,
		PublishedAt: now.Truncate(time.Millisecond), Status: DeliveryPending, NextAttemptAt: now}
	if typ == SNSTypeConfirmation {
		d.Token = sub.Token
	}
	return d
}

// ConfirmSubscription confirms the subscription a SubscriptionConfirmation
// was sent for (its SubscribeURL) and returns its ARN. Confirming again is
// harmless.
func (s *Service) ConfirmSubscription(ctx context.Context, topicArn, token string) (arn string, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		sub, err := tx.SNSSubscriptionByToken(ctx, token)
		if errors.Is(err, errs.ErrNotExist) || (err == nil && sub.TopicArn != topicArn) {
			return awsErr("InvalidParameter", "Invalid token")
		}
		if err != nil {
			return err
		}
		arn = sub.SubscriptionArn
		if sub.Confirmed() {
			return nil
		}
		// The notifications waiting for this wait in the subscription's
		// DeliverSNS job, which looks again soon (confirmationWait).
		return tx.ConfirmSNSSubscription(ctx, arn, s.Now())
	})
	return arn, err
}

// Unsubscribe deletes a subscription (its UnsubscribeURL); its undelivered
// messages fail.
func (s *Service) Unsubscribe(ctx context.Context, subscriptionArn string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		err := s.unsubscribe(ctx, tx, subscriptionArn, "the subscription was unsubscribed")
		if errors.Is(err, errs.ErrNotExist) {
			return awsErr("NotFound", "Subscription does not exist")
		}
		return err
	})
}

// ListSNSDeliveries returns the SaaS's outbox messages, newest first, at
// most limit (1..1000, default 100).
func (s *Service) ListSNSDeliveries(ctx context.Context, saasID string, limit int) (ds []SNSDelivery, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ds, err = tx.SNSDeliveries(ctx, saasID, limit)
		return err
	})
	return ds, err
}

// ---- what a change publishes ----

type notification struct {
	topic string
	body  map[string]string
}

// notifications returns the messages AWS publishes for a change, in order.
func notifications(c Change) []notification {
	p := c.Purchase
	sub := func(action string) notification {
		b := map[string]string{"action": action, "customer-identifier": p.CustomerIdentifier, "product-code": p.ProductCode}
		if action == ActionSubscribeSuccess || action == ActionSubscribeFail {
			b["offer-identifier"] = offerIdentifier(p.ProductCode)
			b["isFreeTrialTermPresent"] = "false"
		}
		return notification{SubscriptionTopicArn(p.ProductCode), b}
	}
	ent := notification{EntitlementTopicArn(p.ProductCode), map[string]string{
		"action": ActionEntitlementUpdated, "customer-identifier": p.CustomerIdentifier, "product-code": p.ProductCode}}
	switch c.Kind {
	case ChangeCreated:
		if p.Status == PurchaseFailed {
			return []notification{sub(ActionSubscribeFail)}
		}
		return []notification{sub(ActionSubscribeSuccess), ent}
	case ChangeUpdated:
		return []notification{ent}
	case ChangeCancelled:
		return []notification{sub(ActionUnsubscribePending), sub(ActionUnsubscribeSuccess), ent}
	}
	return nil
}

// offerIdentifier is the emulated public offer of a product: stable, so a
// receiver can compare it across messages.
func offerIdentifier(productCode string) string {
	h := make([]byte, 0, 12)
	for i := 0; i < len(productCode) && len(h) < 12; i++ {
		c := productCode[i] | 0x20
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			h = append(h, c)
		}
	}
	return "offer-" + string(h)
}

// publish writes the change's notifications to the outbox of the SaaS's
// subscriptions, in the caller's transaction.
func (s *Service) publish(ctx context.Context, tx Tx, c Change) error {
	subs, err := s.ensureSubscriptions(ctx, tx, c.Purchase.SaaSID, c.Purchase.ProductCode)
	if err != nil || subs == nil {
		return err
	}
	for _, n := range notifications(c) {
		sub, ok := subs[n.topic]
		if !ok {
			continue
		}
		b, err := json.Marshal(n.body)
		if err != nil {
			return err
		}
		if err := s.queue(ctx, tx, sub, s.newDelivery(sub, SNSTypeNotification, string(b))); err != nil {
			return err
		}
	}
	return nil
}

// queue writes a message to the subscription's outbox. When it is the
// only pending message, no DeliverSNS job works the subscription, so it
// enqueues one in the same transaction (a job that is still running has
// decided, in a transaction this one is serialized with, that the queue
// was empty).
func (s *Service) queue(ctx context.Context, tx Tx, sub SNSSubscription, d SNSDelivery) error {
	if err := tx.InsertSNSDelivery(ctx, d); err != nil {
		return err
	}
	head, _, err := tx.NextSNSDelivery(ctx, sub.SubscriptionArn)
	if err != nil || head.MessageID != d.MessageID {
		return err
	}
	return tx.EnqueueJob(ctx, DeliverSNS{SubscriptionArn: sub.SubscriptionArn})
}
