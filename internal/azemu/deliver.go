package azemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Poster posts one webhook call. status is the HTTP status (0 when no
// response came); err is set for a transport failure or a status other
// than 2xx.
type Poster interface {
	Post(ctx context.Context, endpoint string, header map[string]string, body []byte) (status int, err error)
}

// DefaultBackoff is the wait before retry n (1-based): doubling from one
// second up to ten minutes, so that retries go on for RetryFor (the
// marketplace retries for 8 hours).
func DefaultBackoff(n int) time.Duration {
	d := time.Second << min(n-1, 20)
	return min(d, 10*time.Minute)
}

// DeliverWebhooks is the background job that posts one subscription's
// queued webhook calls, oldest first, one at a time. Queueing the first
// message of an idle subscription enqueues it in the same transaction;
// the job works down the subscription's queue and ends when it is empty,
// so a subscription never has two at once. internal/app registers
// Deliverer.Deliver as its worker.
type DeliverWebhooks struct {
	SubscriptionID string `json:"subscription_id"`
}

// Kind implements the jobs engine's job arguments.
func (DeliverWebhooks) Kind() string { return "azemu.deliver_webhooks" }

// Queue puts the emulators' deliveries in a queue of their own.
func (DeliverWebhooks) Queue() string { return "emulators" }

// SettleDue is the periodic job that completes every SaaS's due operations
// (auto-accepts, delayed publisher changes) and ended terms
// (Service.SettleDue). Each is completed once, whichever node gets there.
type SettleDue struct{}

// Kind implements the jobs engine's job arguments.
func (SettleDue) Kind() string { return "azemu.settle_due" }

// Queue puts the emulators' work in a queue of their own.
func (SettleDue) Queue() string { return "emulators" }

// maxPerRun bounds the messages one run of a delivery job posts, so a
// long queue never outlasts the job timeout: the job then runs again.
const maxPerRun = 100

// Job is a background job a transaction enqueues (Tx.EnqueueJob): its
// JSON is its arguments, Kind names its worker.
type Job interface{ Kind() string }

// DeliveryConfig configures a Deliverer; zero fields take defaults.
type DeliveryConfig struct {
	Post Poster
	// Backoff is the wait before retry n (1-based); nil: DefaultBackoff.
	Backoff func(n int) time.Duration
	// RetryFor is how long after its creation a message is retried
	// (default RetryFor); it fails after that.
	RetryFor time.Duration
}

// Deliverer posts the webhook outbox: the DeliverWebhooks job of each
// subscription posts its oldest pending message, signed with a fresh JWT
// of the SaaS's identity and retried with backoff, then the next. The
// jobs engine runs one such job of a subscription at a time, on one node
// of many; delivery is at least once.
type Deliverer struct {
	svc *Service
	cfg DeliveryConfig
	log *slog.Logger
}

// NewDeliverer returns a deliverer of the service's outbox.
func NewDeliverer(svc *Service, cfg DeliveryConfig) *Deliverer {
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.RetryFor <= 0 {
		cfg.RetryFor = RetryFor
	}
	return &Deliverer{svc: svc, cfg: cfg, log: svc.log}
}

// Deliver works the DeliverWebhooks job of a subscription: it posts the
// subscription's pending messages in order until none is left (wait 0:
// the job is done) or the oldest must wait for its next attempt (wait >
// 0: run the job again after wait).
//
// The job ends only where a write transaction found the queue empty: the
// one recording the last message's outcome (or the first read, when the
// job finds nothing to do). A transaction queueing a message is
// serialized with it, so it either is seen here or sees the queue empty
// and enqueues a new job; while this job goes on, the queue is never
// empty, so no second job starts.
func (d *Deliverer) Deliver(ctx context.Context, subscriptionID string) (wait time.Duration, err error) {
	var h hookHead
	if err := d.svc.store.WriteTx(ctx, func(tx Tx) (err error) { h, err = nextHook(ctx, tx, subscriptionID); return err }); err != nil {
		return 0, err
	}
	for n := 0; h.found; n++ {
		now := d.svc.Now()
		switch {
		case n == maxPerRun:
			return time.Millisecond, nil // more is queued: the job runs again at once
		case h.m.NextAttemptAt.After(now):
			return h.m.NextAttemptAt.Sub(now), nil
		}
		if h, err = d.deliver(ctx, h.m); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// hookHead is the oldest pending message of a subscription, if found.
type hookHead struct {
	m     Webhook
	found bool
}

func nextHook(ctx context.Context, tx Tx, subscriptionID string) (hookHead, error) {
	m, err := tx.NextWebhook(ctx, subscriptionID)
	if errors.Is(err, errs.ErrNotExist) {
		return hookHead{}, nil
	}
	return hookHead{m: m, found: err == nil}, err
}

// SettleDue completes every SaaS's due operations and ended terms: the
// work of the SettleDue job.
func (s *Service) SettleDue(ctx context.Context) error {
	return s.store.WriteTx(ctx, func(tx Tx) error { return s.settle(ctx, tx, "", s.Now()) })
}

// deliver posts one message and records the outcome. It returns the
// subscription's queue head as the recording transaction left it: the same
// message when it waits for a retry, else the next one, if any.
func (d *Deliverer) deliver(ctx context.Context, m Webhook) (hookHead, error) {
	var status int
	var postErr error
	dropped, err := d.svc.takeDropFault(ctx, m.SaaSID)
	if err != nil {
		return hookHead{}, err
	}
	if !dropped {
		token, err := d.svc.WebhookToken(ctx, m.SaaSID)
		if err != nil {
			postErr = err
		} else {
			header := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token,
				"x-ms-requestid": d.svc.newID(), "x-ms-correlationid": m.OperationID, "User-Agent": "saasplane Azure Marketplace emulator"}
			status, postErr = d.cfg.Post.Post(ctx, m.Endpoint, header, []byte(m.Body))
		}
	}
	if ctx.Err() != nil {
		return hookHead{}, ctx.Err() // stopped mid-way: the job runs again
	}
	now := d.svc.Now()
	m.Attempts++
	m.LastAttemptAt, m.LastStatus = now, status
	rejected := false
	switch {
	case dropped:
		m.Status, m.LastError = DeliveryDropped, "dropped by a drop_webhook fault"
	case postErr == nil:
		m.Status, m.LastError, m.DeliveredAt = DeliveryDelivered, "", now
	case status >= 400 && status < 500:
		// A 4xx answer rejects a change waiting for the publisher's
		// acknowledgement; other messages are retried.
		rejected = true
		fallthrough
	default:
		m.LastError = truncateErr(postErr)
		if next := now.Add(d.cfg.Backoff(m.Attempts)); next.After(m.CreatedAt.Add(d.cfg.RetryFor)) {
			m.Status = DeliveryFailed
		} else {
			m.NextAttemptAt = next
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var h hookHead
	err = d.svc.store.WriteTx(rctx, func(tx Tx) (err error) {
		if rejected {
			done, err := d.svc.rejectByWebhook(rctx, tx, m, status, now)
			if err != nil {
				return err
			}
			if done {
				m.Status = DeliveryFailed
			}
		}
		if err := tx.UpdateWebhook(rctx, m); err != nil {
			return err
		}
		h, err = nextHook(rctx, tx, m.SubscriptionID)
		return err
	})
	if err != nil {
		return hookHead{}, fmt.Errorf("record delivery of webhook %s: %w", m.ID, err)
	}
	if postErr != nil && !dropped {
		d.log.Info("azure emulator: webhook delivery failed", "webhook_id", m.ID, "endpoint", m.Endpoint,
			"attempt", m.Attempts, "status", m.Status, "err", postErr)
	}
	return h, nil
}

// rejectByWebhook fails the operation of a message the publisher answered
// with a 4xx, when it waits for an acknowledgement. done reports whether
// the message needs no more attempts.
func (s *Service) rejectByWebhook(ctx context.Context, tx Tx, m Webhook, status int, now time.Time) (done bool, err error) {
	op, err := tx.Operation(ctx, m.SaaSID, m.OperationID)
	if err != nil || op.Status != OpInProgress || op.Source != SourceAzure || !op.Action.NeedsAck() {
		return false, nil
	}
	_, err = s.complete(ctx, tx, op, OpFailed, fmt.Sprintf("rejected: the webhook answered HTTP %d", status), now)
	return err == nil, err
}

func truncateErr(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}
