package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// DeliverEndpoint is the background job that works one endpoint's queue:
// it posts the endpoint's pending deliveries in seq order, one at a
// time. Queueing a delivery on an idle endpoint enqueues it in the same
// transaction; the job ends only where a write transaction found the
// queue empty, so an endpoint never has two at once and a queued
// delivery always has a job. internal/app registers Service.Deliver as
// its worker.
type DeliverEndpoint struct {
	SaaSID     string `json:"saas_id"`
	EndpointID string `json:"endpoint_id"`
}

// Kind implements the jobs engine's job arguments.
func (DeliverEndpoint) Kind() string { return "events.deliver_endpoint" }

// Sweep is the periodic job of Service.Sweep.
type Sweep struct{}

// Kind implements the jobs engine's job arguments.
func (Sweep) Kind() string { return "events.sweep" }

// maxPerRun bounds the deliveries one run of a job posts, so a long
// queue never outlasts the job timeout: the job then runs again.
const maxPerRun = 100

// Outcome is what one attempt of a delivery came to, for metrics.
type Outcome string

// Outcomes.
const (
	OutcomeDelivered Outcome = "delivered"
	OutcomeFailed    Outcome = "failed" // will be retried
	OutcomeDead      Outcome = "dead"
)

// Observer sees every attempt (metrics); nil sees none.
type Observer func(o Outcome)

// Deliver works an endpoint's DeliverEndpoint job: it posts the pending
// deliveries in order until none is left (wait 0: the job is done) or the
// oldest must wait for its next attempt (wait > 0: run the job again
// after wait). A failed attempt holds the queue: later events wait until
// it is delivered or dead, so a receiver sees each endpoint's events in
// seq order. A crash between a POST and its record posts it again:
// delivery is at least once, and receivers dedupe by event id.
func (s *Service) Deliver(ctx context.Context, saasID, endpointID string, observe Observer) (wait time.Duration, err error) {
	var h head
	if err := s.store.WriteTx(ctx, func(tx Tx) (err error) { h, err = nextHead(ctx, tx, saasID, endpointID); return err }); err != nil {
		return 0, err
	}
	for n := 0; h.found; n++ {
		now := s.cfg.Now()
		switch {
		case n == maxPerRun:
			return time.Millisecond, nil
		case h.d.NextAt.After(now):
			return h.d.NextAt.Sub(now), nil
		}
		if h, err = s.attempt(ctx, h, observe); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// head is an endpoint's next pending delivery, with its endpoint and
// event, if found.
type head struct {
	d     Delivery
	e     Event
	ep    Endpoint
	found bool
}

func nextHead(ctx context.Context, tx Tx, saasID, endpointID string) (head, error) {
	d, e, err := tx.NextDelivery(ctx, saasID, endpointID)
	if errors.Is(err, errs.ErrNotExist) {
		return head{}, nil
	}
	if err != nil {
		return head{}, err
	}
	ep, err := tx.Endpoint(ctx, saasID, endpointID)
	if errors.Is(err, errs.ErrNotExist) {
		return head{}, nil // deleted meanwhile, with its queue
	}
	return head{d: d, e: e, ep: ep, found: err == nil}, err
}

// attempt posts h's delivery once and records the outcome; it returns the
// queue's head as the recording transaction left it.
func (s *Service) attempt(ctx context.Context, h head, observe Observer) (head, error) {
	status, postErr := s.send(ctx, h)
	if ctx.Err() != nil {
		return head{}, ctx.Err() // stopped mid-way: not an attempt; the job runs again
	}
	d := h.d
	now := s.cfg.Now()
	d.Attempts++
	d.LastAttemptAt, d.LastStatus = now, status
	outcome := OutcomeDelivered
	switch {
	case postErr == nil:
		d.State, d.LastError, d.DeliveredAt = Delivered, "", now
	default:
		if d.FirstFailedAt.IsZero() {
			d.FirstFailedAt = now
		}
		d.LastError = truncate(postErr.Error())
		if now.Sub(d.FirstFailedAt) >= s.cfg.RetryFor {
			d.State, outcome = Dead, OutcomeDead
		} else {
			d.NextAt, outcome = now.Add(s.cfg.Backoff(d.Attempts)), OutcomeFailed
		}
	}
	if observe != nil {
		observe(outcome)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var next head
	err := s.store.WriteTx(rctx, func(tx Tx) (err error) {
		if err := tx.UpdateDelivery(rctx, d); err != nil && !errors.Is(err, errs.ErrNotExist) {
			return err // ErrNotExist: the endpoint went meanwhile
		}
		next, err = nextHead(rctx, tx, d.SaaSID, d.EndpointID)
		return err
	})
	if err != nil {
		return head{}, fmt.Errorf("record delivery of event %s: %w", h.e.ID, err)
	}
	if postErr != nil {
		s.cfg.Log.Info("events: delivery failed", "saas_id", d.SaaSID, "endpoint_id", d.EndpointID,
			"event_id", h.e.ID, "attempt", d.Attempts, "state", d.State, "status", status, "err", postErr)
	}
	return next, nil
}

// send makes one attempt of h's delivery: a signed POST to a webhook, or
// a PutEvents of the envelope's detail to the SaaS's EventBridge.
func (s *Service) send(ctx context.Context, h head) (status int, err error) {
	if h.ep.IsEventBridge() {
		if s.cfg.Bus == nil {
			return 0, errors.New("this server has no EventBridge client")
		}
		var env struct {
			Detail json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(h.e.Body, &env); err != nil {
			return 0, fmt.Errorf("event %s: envelope: %w", h.e.ID, err)
		}
		if err := s.cfg.Bus.SendEvent(ctx, h.d.SaaSID, DetailType, env.Detail, h.e.CreatedAt); err != nil {
			return 0, err
		}
		return 200, nil // as a webhook's 2xx: the put was accepted
	}
	now := s.cfg.Now()
	header := map[string]string{
		"Content-Type":  "application/json",
		"User-Agent":    "saasplane-webhooks/1",
		HeaderID:        h.e.ID,
		HeaderSeq:       strconv.FormatInt(h.e.Seq, 10),
		HeaderTimestamp: strconv.FormatInt(now.Unix(), 10),
		HeaderSignature: Sign(h.ep.Secret, now, h.e.Body),
	}
	return s.cfg.Post.Post(ctx, h.ep.URL, header, h.e.Body)
}

func truncate(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}
