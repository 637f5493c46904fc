package awsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// Poster posts one message to an endpoint. It returns an error for a
// transport failure or a status other than 2xx.
type Poster interface {
	Post(ctx context.Context, endpoint string, header map[string]string, body []byte) error
}

// DefaultBackoff is the wait before each retry of a failed delivery: 12
// retries over about an hour, like SNS's default HTTP delivery policy
// keeps trying for about an hour.
var DefaultBackoff = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 20 * time.Minute,
}

// DeliverSNS is the background job that posts one subscription's queued
// messages, oldest first, one at a time, as SNS does for an HTTP
// subscription. Queueing the first message of an idle subscription
// enqueues it in the same transaction; the job then works down the
// subscription's queue and ends when it is empty, so a subscription never
// has two at once. internal/app registers Deliverer.Deliver as its worker
// on the jobs engine.
type DeliverSNS struct {
	SubscriptionArn string `json:"subscription_arn"`
}

// Kind implements the jobs engine's job arguments.
func (DeliverSNS) Kind() string { return "awsemu.deliver_sns" }

// Queue puts the emulators' deliveries in a queue of their own.
func (DeliverSNS) Queue() string { return "emulators" }

// maxPerRun bounds the messages one run of a delivery job posts, so a
// long queue never outlasts the job timeout: the job then runs again.
const maxPerRun = 100

// Job is a background job a transaction enqueues (Tx.EnqueueJob): its
// JSON is its arguments, Kind names its worker.
type Job interface{ Kind() string }

// DeliveryConfig configures a Deliverer; zero fields take defaults.
type DeliveryConfig struct {
	// PublicURL is the base of SigningCertURL, SubscribeURL and
	// UnsubscribeURL (no trailing slash).
	PublicURL string
	// Post sends the messages.
	Post Poster
	// SignatureVersion is "1" (SHA1withRSA) or "2" (SHA256withRSA,
	// default).
	SignatureVersion string
	// Backoff is the wait before each retry; a message fails after
	// len(Backoff)+1 attempts. Nil means DefaultBackoff.
	Backoff []time.Duration
}

// Deliverer posts the outbox: the DeliverSNS job of each subscription
// posts its oldest pending message, retried with backoff, then the next.
// The jobs engine runs one DeliverSNS job of a subscription at a time, on
// one node of many. A crash after the POST and before the outcome is
// recorded posts the message again when the engine rescues the job:
// delivery is at least once, as with SNS.
type Deliverer struct {
	svc *Service
	cfg DeliveryConfig
	log *slog.Logger
}

// NewDeliverer returns a deliverer of the service's outbox.
func NewDeliverer(svc *Service, cfg DeliveryConfig) *Deliverer {
	if cfg.SignatureVersion == "" {
		cfg.SignatureVersion = "2"
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	return &Deliverer{svc: svc, cfg: cfg, log: svc.log}
}

// Deliver works the DeliverSNS job of a subscription: it posts the
// subscription's pending messages in order until none is left (wait 0:
// the job is done) or the oldest must wait (wait > 0: run the job again
// after wait) for its next attempt or, for a notification, for the
// subscription to be confirmed.
//
// The job ends only where a write transaction found the queue empty: the
// one recording the last message's outcome (or the first read, when the
// job finds nothing to do). A transaction queueing a message is
// serialized with it, so it either is seen here or sees the queue empty
// and enqueues a new job; while this job goes on, the queue is never
// empty, so no second job starts.
func (d *Deliverer) Deliver(ctx context.Context, subscriptionArn string) (wait time.Duration, err error) {
	if _, _, err := d.svc.snsIdentity(ctx); err != nil {
		return 0, err
	}
	var h snsHead
	if err := d.svc.store.WriteTx(ctx, func(tx Tx) (err error) { h, err = nextSNS(ctx, tx, subscriptionArn); return err }); err != nil {
		return 0, err
	}
	for n := 0; h.found; n++ {
		now := d.svc.Now()
		switch {
		case n == maxPerRun:
			return time.Millisecond, nil // more is queued: the job runs again at once
		case h.m.Type == SNSTypeNotification && !h.confirmed:
			return confirmationWait(now.Sub(h.m.PublishedAt)), nil
		case h.m.NextAttemptAt.After(now):
			return h.m.NextAttemptAt.Sub(now), nil
		}
		if h, err = d.deliver(ctx, h.m); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// snsHead is the oldest pending message of a subscription, if found.
type snsHead struct {
	m         SNSDelivery
	confirmed bool // the subscription is
	found     bool
}

func nextSNS(ctx context.Context, tx Tx, subscriptionArn string) (snsHead, error) {
	m, confirmed, err := tx.NextSNSDelivery(ctx, subscriptionArn)
	if errors.Is(err, errs.ErrNotExist) {
		return snsHead{}, nil
	}
	return snsHead{m: m, confirmed: confirmed, found: err == nil}, err
}

// confirmationWait is how long a notification waits before looking again
// whether its subscription was confirmed: soon while the message is young
// (a receiver usually confirms within seconds), every 30 s once it is old.
func confirmationWait(age time.Duration) time.Duration {
	return min(max(age/2, 100*time.Millisecond), 30*time.Second)
}

// deliver posts one message and records the outcome. It returns the
// subscription's queue head as the recording transaction left it: the same
// message when it waits for a retry, else the next one, if any.
func (d *Deliverer) deliver(ctx context.Context, m SNSDelivery) (snsHead, error) {
	var postErr error
	dropped := false
	if m.Type == SNSTypeNotification {
		var err error
		if dropped, err = d.svc.takeDeliveryFault(ctx, m.SaaSID); err != nil {
			return snsHead{}, err
		}
	}
	if !dropped {
		header, body, err := d.Envelope(m)
		if err != nil {
			postErr = err
		} else {
			postErr = d.cfg.Post.Post(ctx, m.Endpoint, header, body)
		}
	}
	if ctx.Err() != nil {
		return snsHead{}, ctx.Err() // stopped mid-way: not an attempt of the endpoint's; the job runs again
	}
	now := d.svc.Now()
	m.Attempts++
	m.LastAttemptAt = now
	switch {
	case dropped:
		m.Status, m.LastError = DeliveryDropped, "dropped by a DeliverNotification fault"
	case postErr == nil:
		m.Status, m.LastError, m.DeliveredAt = DeliveryDelivered, "", now
	case m.Attempts > len(d.cfg.Backoff):
		m.Status, m.LastError = DeliveryFailed, truncateErr(postErr)
	default:
		m.LastError, m.NextAttemptAt = truncateErr(postErr), now.Add(d.cfg.Backoff[m.Attempts-1])
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var h snsHead
	err := d.svc.store.WriteTx(rctx, func(tx Tx) (err error) {
		if err := tx.UpdateSNSDelivery(rctx, m); err != nil {
			return err
		}
		h, err = nextSNS(rctx, tx, m.SubscriptionArn)
		return err
	})
	if err != nil {
		return snsHead{}, fmt.Errorf("record delivery of %s: %w", m.MessageID, err)
	}
	if postErr != nil && !dropped {
		d.log.Info("aws emulator: SNS delivery failed", "message_id", m.MessageID, "endpoint", m.Endpoint,
			"attempt", m.Attempts, "status", m.Status, "err", postErr)
	}
	return h, nil
}

func truncateErr(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}

// SNSTimestampFormat is how SNS writes Timestamp: UTC, milliseconds.
const SNSTimestampFormat = "2006-01-02T15:04:05.000Z"

// Envelope returns the headers and the signed JSON body SNS would post for
// m. The body is the same on every attempt (PKCS #1 v1.5 signatures are
// deterministic).
func (d *Deliverer) Envelope(m SNSDelivery) (map[string]string, []byte, error) {
	key, _, err := d.svc.snsIdentity(context.Background())
	if err != nil {
		return nil, nil, err
	}
	pub := d.cfg.PublicURL
	msg := awsmp.SNSMessage{Type: m.Type, MessageID: m.MessageID, TopicArn: m.TopicArn, Message: m.Message,
		Timestamp: m.PublishedAt.UTC().Format(SNSTimestampFormat), SigningCertURL: pub + "/aws/sns/cert.pem"}
	header := map[string]string{
		"Content-Type":           "text/plain; charset=UTF-8",
		"User-Agent":             "Amazon Simple Notification Service Agent",
		"x-amz-sns-message-type": m.Type,
		"x-amz-sns-message-id":   m.MessageID,
		"x-amz-sns-topic-arn":    m.TopicArn,
	}
	if m.Type == SNSTypeConfirmation {
		msg.Token = m.Token
		msg.SubscribeURL = pub + "/aws/sns/confirm?Token=" + url.QueryEscape(m.Token) + "&TopicArn=" + url.QueryEscape(m.TopicArn)
	} else {
		msg.UnsubscribeURL = pub + "/aws/sns/unsubscribe?SubscriptionArn=" + url.QueryEscape(m.SubscriptionArn)
		header["x-amz-sns-subscription-arn"] = m.SubscriptionArn
	}
	if err := awsmp.SignSNS(&msg, key, d.cfg.SignatureVersion); err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // SNS writes '&' in SubscribeURL as is
	enc.SetIndent("", "  ")
	if err := enc.Encode(msg); err != nil {
		return nil, nil, err
	}
	return header, bytes.TrimRight(buf.Bytes(), "\n"), nil
}
