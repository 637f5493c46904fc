package azemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
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

// DeliveryConfig configures a Deliverer; zero fields take defaults.
type DeliveryConfig struct {
	Post Poster
	// Backoff is the wait before retry n (1-based); nil: DefaultBackoff.
	Backoff func(n int) time.Duration
	// RetryFor is how long after its creation a message is retried
	// (default RetryFor); it fails after that.
	RetryFor time.Duration
	// Poll is how often due work is looked for when nothing wakes the
	// deliverer (default 1s).
	Poll time.Duration
	// Lease is how long a claimed message is kept from other deliverers
	// (default 2 minutes); it must exceed the Poster's timeout.
	Lease time.Duration
	// Batch is the most messages claimed at once (default 20).
	Batch int
}

// Deliverer completes due operations (auto-accepts, delayed publisher
// changes) and posts the webhook outbox: the oldest pending message of
// each subscription, signed with a fresh JWT of the SaaS's identity,
// retried with backoff. A message is claimed (leased) in a transaction
// before it is posted, so several deliverers over one database never post
// it concurrently; delivery is at least once.
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

// Run works until ctx ends.
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
		if err := d.svc.SettleDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("azure emulator: complete due operations", "err", err)
		}
		n, err := d.DeliverOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("azure emulator: webhook delivery", "err", err)
		}
		wait := d.cfg.Poll
		if n > 0 {
			wait = 0
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

// DeliverOnce claims the due messages, posts them concurrently and records
// the outcomes. It returns how many it handled.
func (d *Deliverer) DeliverOnce(ctx context.Context) (int, error) {
	now := d.svc.Now()
	var claimed []Webhook
	err := d.svc.store.WriteTx(ctx, func(tx Tx) (err error) {
		claimed, err = tx.ClaimWebhooks(ctx, now, now.Add(d.cfg.Lease), d.cfg.Batch)
		return err
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(claimed))
	for _, m := range claimed {
		wg.Go(func() { errc <- d.deliver(ctx, m) })
	}
	wg.Wait()
	close(errc)
	var out []error
	for err := range errc {
		out = append(out, err)
	}
	return len(claimed), errors.Join(out...)
}

// deliver posts one claimed message (Attempts counts this one) and records
// the outcome.
func (d *Deliverer) deliver(ctx context.Context, m Webhook) error {
	var status int
	var postErr error
	dropped := d.svc.takeDropFault(m.SaaSID)
	if !dropped {
		token, err := d.svc.WebhookToken(ctx, m.SaaSID)
		if err != nil {
			postErr = err
		} else {
			header := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token,
				"x-ms-requestid": newID(), "x-ms-correlationid": m.OperationID, "User-Agent": "saasplane Azure Marketplace emulator"}
			status, postErr = d.cfg.Post.Post(ctx, m.Endpoint, header, []byte(m.Body))
		}
	}
	if ctx.Err() != nil {
		return nil // stopped mid-way: the lease ends and it is posted again
	}
	now := d.svc.Now()
	m.ClaimedUntil, m.LastStatus = time.Time{}, status
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
		next := now.Add(d.cfg.Backoff(m.Attempts))
		if next.After(m.CreatedAt.Add(d.cfg.RetryFor)) {
			m.Status = DeliveryFailed
		} else {
			m.NextAttemptAt = next
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := d.svc.store.WriteTx(rctx, func(tx Tx) error {
		if rejected {
			done, err := d.svc.rejectByWebhook(rctx, tx, m, status, now)
			if err != nil {
				return err
			}
			if done {
				m.Status = DeliveryFailed
			}
		}
		return tx.UpdateWebhook(rctx, m)
	})
	if err != nil {
		return fmt.Errorf("record delivery of webhook %s: %w", m.ID, err)
	}
	if postErr != nil && !dropped {
		d.log.Info("azure emulator: webhook delivery failed", "webhook_id", m.ID, "endpoint", m.Endpoint,
			"attempt", m.Attempts, "status", m.Status, "err", postErr)
	}
	return nil
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
