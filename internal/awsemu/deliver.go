package awsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

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
	// Poll is how often due messages are looked for when nothing wakes the
	// deliverer (default 1s).
	Poll time.Duration
	// Lease is how long a claimed message is kept from other deliverers
	// (default 2 minutes); it must exceed the Poster's timeout.
	Lease time.Duration
	// Batch is the most messages claimed at once (default 20).
	Batch int
}

// Deliverer posts the outbox: the oldest pending message of each
// subscription, retried with backoff. Several deliverers, in one or many
// processes over one database, never post a message concurrently: a
// message is claimed (leased) in a transaction first. A crash after the
// POST and before the result is recorded posts it again once the lease
// ends: delivery is at least once, as with SNS.
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
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	return &Deliverer{svc: svc, cfg: cfg, log: svc.log}
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.svc.kick:
		}
		n, err := d.DeliverOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("aws emulator: SNS delivery", "err", err)
		}
		wait := d.cfg.Poll
		if n > 0 {
			wait = 0 // more may be due right away
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(wait)
	}
}

// DeliverOnce claims the due messages, posts them (concurrently across
// subscriptions) and records the outcomes. It returns how many it posted
// or dropped.
func (d *Deliverer) DeliverOnce(ctx context.Context) (int, error) {
	now := d.svc.Now()
	var due bool
	err := d.svc.store.ReadTx(ctx, func(tx Tx) (err error) {
		due, err = tx.SNSDeliveryDue(ctx, now)
		return err
	})
	if err != nil || !due {
		return 0, err
	}
	var claimed []SNSDelivery
	err = d.svc.store.WriteTx(ctx, func(tx Tx) (err error) {
		claimed, err = tx.ClaimSNSDeliveries(ctx, now, now.Add(d.cfg.Lease), d.cfg.Batch)
		return err
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	if _, _, err := d.svc.snsIdentity(ctx); err != nil {
		d.releaseAll(claimed)
		return 0, err
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(claimed))
	for _, m := range claimed {
		wg.Go(func() { errc <- d.deliver(ctx, m) })
	}
	wg.Wait()
	close(errc)
	var errsOut []error
	for err := range errc {
		errsOut = append(errsOut, err)
	}
	return len(claimed), errors.Join(errsOut...)
}

// releaseAll gives claimed messages back without counting an attempt.
func (d *Deliverer) releaseAll(ms []SNSDelivery) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = d.svc.store.WriteTx(ctx, func(tx Tx) error {
		for _, m := range ms {
			m.Attempts--
			m.ClaimedUntil = time.Time{}
			if err := tx.UpdateSNSDelivery(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// deliver posts one claimed message (Attempts already counts this one)
// and records the outcome.
func (d *Deliverer) deliver(ctx context.Context, m SNSDelivery) error {
	var postErr error
	dropped := false
	if m.Type == SNSTypeNotification {
		_, dropped = d.svc.takeDeliveryFault(m.SaaSID)
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
		d.releaseAll([]SNSDelivery{m}) // stopped mid-way: not an attempt of the endpoint's
		return nil
	}
	now := d.svc.Now()
	m.ClaimedUntil = time.Time{}
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
	err := d.svc.store.WriteTx(rctx, func(tx Tx) error { return tx.UpdateSNSDelivery(rctx, m) })
	if err != nil {
		return fmt.Errorf("record delivery of %s: %w", m.MessageID, err)
	}
	if postErr != nil && !dropped {
		d.log.Info("aws emulator: SNS delivery failed", "message_id", m.MessageID, "endpoint", m.Endpoint,
			"attempt", m.Attempts, "status", m.Status, "err", postErr)
	}
	return nil
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
