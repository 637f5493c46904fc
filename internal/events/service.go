package events

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Poster posts a delivery: it returns the receiver's HTTP status (0 when
// none came back) and an error for anything but a 2xx.
type Poster interface {
	Post(ctx context.Context, url string, header map[string]string, body []byte) (status int, err error)
}

// Bus sends one event to the SaaS's Amazon EventBridge: the
// integration service, whose errors say whether a retry may help (the
// outbox retries them all the same, until RetryFor).
type Bus interface {
	SendEvent(ctx context.Context, saasID, detailType string, detail json.RawMessage, at time.Time) error
}

// Config configures the Service; zero fields take the defaults named.
type Config struct {
	Now   func() time.Time // time.Now
	NewID func() string    // required: event and endpoint ids
	// Random makes endpoint secrets (crypto/rand).
	Random io.Reader
	Post   Poster // required to deliver to webhooks
	// Bus delivers to the EventBridge endpoint; nil fails those
	// deliveries (they are retried, then dead).
	Bus Bus
	// Backoff is the wait after a delivery's n-th failed attempt
	// (DefaultBackoff).
	Backoff func(attempt int) time.Duration
	// RetryFor is how long a failing delivery is retried before it
	// becomes a dead letter (25 h).
	RetryFor time.Duration
	// OpenGrace is how long an open event may wait for its request to
	// complete before Sweep completes it without a response (1 min).
	OpenGrace time.Duration
	// Retention is how long delivered events are kept (7 days).
	Retention time.Duration
	// AllowHTTP accepts http:// endpoint URLs for any host (tests, private
	// networks); without it only loopback hosts may use http.
	AllowHTTP bool
	Log       *slog.Logger
}

// DefaultBackoff doubles from 10 s to at most an hour: 10 s, 20 s, 40 s,
// ... 1 h, 1 h, ...; with RetryFor of 25 h that is about 33 attempts.
func DefaultBackoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Service is the events' domain service.
type Service struct {
	store   Store
	cfg     Config
	targets targetCache
}

// NewService returns the service over store.
func NewService(store Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.RetryFor == 0 {
		cfg.RetryFor = 25 * time.Hour
	}
	if cfg.OpenGrace == 0 {
		cfg.OpenGrace = time.Minute
	}
	if cfg.Retention == 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, cfg: cfg}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }

// NewID returns a new event id.
func (s *Service) NewID() string { return s.cfg.NewID() }

// Limits of an endpoint.
const (
	MaxURLBytes         = 2048
	MaxDescriptionBytes = 512
	MaxEndpoints        = 20 // per SaaS
)

// CreateEndpoint adds a webhook endpoint and returns it with its secret,
// shown this once.
func (s *Service) CreateEndpoint(ctx context.Context, saasID, rawURL, description string) (Endpoint, error) {
	var fe errs.FieldErrors
	if err := s.checkURL(rawURL); err != nil {
		fe.Add("url", "%s", err)
	}
	if len(description) > MaxDescriptionBytes {
		fe.Add("description", "must be at most %d bytes", MaxDescriptionBytes)
	}
	if err := fe.Err(); err != nil {
		return Endpoint{}, err
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		return Endpoint{}, fmt.Errorf("endpoint secret: %w", err)
	}
	e := Endpoint{ID: s.cfg.NewID(), URL: rawURL, Secret: "whsec_" + base64.RawURLEncoding.EncodeToString(b),
		Description: description, CreatedAt: s.cfg.Now().UTC().Truncate(time.Microsecond)}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		es, err := tx.Endpoints(ctx, saasID)
		if err != nil {
			return err
		}
		if webhooks(es) >= MaxEndpoints {
			return errs.Conflict("a SaaS has at most %d webhook endpoints", MaxEndpoints)
		}
		return tx.InsertEndpoint(ctx, saasID, e)
	})
	s.forgetTargets(saasID)
	return e, err
}

// webhooks counts the webhook endpoints of es.
func webhooks(es []Endpoint) int {
	n := 0
	for _, e := range es {
		if !e.IsEventBridge() {
			n++
		}
	}
	return n
}

// checkURL accepts absolute https URLs, and http ones for loopback hosts
// (or any host with AllowHTTP).
func (s *Service) checkURL(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	if len(raw) > MaxURLBytes {
		return fmt.Errorf("must be at most %d bytes", MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errors.New("must be an absolute http(s) URL without credentials or fragment")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if s.cfg.AllowHTTP || isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("must use https (http is accepted for loopback hosts only)")
	}
	return errors.New("must be an absolute http(s) URL")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Endpoints lists the SaaS's webhook endpoints, without their secrets.
func (s *Service) Endpoints(ctx context.Context, saasID string) (es []Endpoint, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) { es, err = tx.Endpoints(ctx, saasID); return err })
	for i := range es {
		es[i].Secret = ""
	}
	return es, err
}

// Endpoint returns one endpoint, without its secret.
func (s *Service) Endpoint(ctx context.Context, saasID, id string) (e Endpoint, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) { e, err = tx.Endpoint(ctx, saasID, id); return err })
	e.Secret = ""
	return e, notFound(err, "no webhook endpoint has that id")
}

// DeleteEndpoint removes a webhook endpoint and its queue. The
// EventBridge endpoint goes with the SaaS's EventBridge settings.
func (s *Service) DeleteEndpoint(ctx context.Context, saasID, id string) error {
	if id == EventBridgeID {
		return errs.Conflict("the eventbridge endpoint is the SaaS's EventBridge settings: remove it with DELETE /v1/integration/eventbridge/info").
			WithType("eventbridge_endpoint")
	}
	err := s.store.WriteTx(ctx, func(tx Tx) error { return tx.DeleteEndpoint(ctx, saasID, id) })
	s.forgetTargets(saasID)
	return notFound(err, "no webhook endpoint has that id")
}

func notFound(err error, msg string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("%s", msg)
	}
	return err
}

// Complete finishes p's event once its response is known: when the
// request opened one (it wrote), or when it succeeded without opening one
// and the SaaS has a target, the event gets the SaaS's next seq and its
// envelope, and a delivery is queued for each endpoint. A request that
// failed and wrote nothing has no event.
//
// A request that succeeded without writing (a replayed metering update,
// say) gets its event here. Whether its SaaS has a target is remembered
// per node for targetsTTL, so that such requests pay no read each.
//
// responseBody gives the response's body as the event keeps it; it is
// called only for a request that gets an event.
func (s *Service) Complete(ctx context.Context, p *Pending, status int, responseBody func() string) error {
	if !p.Opened() && (status < 200 || status > 299) {
		return nil
	}
	ctx = WithoutPending(ctx)
	if !p.Opened() {
		ok, err := s.hasTargets(ctx, p.SaaSID)
		if err != nil || !ok {
			return err
		}
	}
	e := p.Event()
	e.Call.HTTPStatus, e.Call.ResponseBody = status, responseBody()
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if p.Opened() {
			err := s.complete(ctx, tx, e, "")
			if errors.Is(err, errs.ErrNotExist) {
				return errCompletedBefore // Sweep got there first: roll back, nothing to do
			}
			return err
		}
		ok, err := tx.HasTargets(ctx, e.SaaSID)
		if err != nil || !ok {
			return err
		}
		return s.complete(ctx, tx, e, p.RequestID)
	})
	if errors.Is(err, errCompletedBefore) {
		return nil
	}
	return err
}

// errCompletedBefore rolls back a Complete of an event that Sweep
// completed first.
var errCompletedBefore = errors.New("events: completed before")

// complete gives e its seq and envelope and queues its deliveries; a
// requestID says e is new (not opened before).
func (s *Service) complete(ctx context.Context, tx Tx, e Event, requestID string) error {
	seq, err := tx.NextSeq(ctx, e.SaaSID)
	if err != nil {
		return err
	}
	e.Seq = seq
	if e.Body, err = Envelope(e, s.cfg.Retention); err != nil {
		return err
	}
	if requestID != "" {
		err = tx.InsertReadyEvent(ctx, requestID, e)
	} else {
		err = tx.CompleteEvent(ctx, e)
	}
	if err != nil {
		return err
	}
	es, err := tx.Endpoints(ctx, e.SaaSID)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, ep := range es {
		idle, err := tx.QueueDelivery(ctx, Delivery{SaaSID: e.SaaSID, EndpointID: ep.ID, EventSeq: seq, State: Queued, NextAt: now})
		if err != nil {
			return err
		}
		if idle {
			if err := tx.EnqueueJob(ctx, DeliverEndpoint{SaaSID: e.SaaSID, EndpointID: ep.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Sweep completes the events that were opened more than OpenGrace ago
// and never completed (their request was cut short by a crash) as calls
// whose response is unknown (http_status ""), and deletes the events
// past Retention whose deliveries are done. It returns how many events it
// completed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	var open []Event
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		open, err = tx.OpenEvents(ctx, now.Add(-s.cfg.OpenGrace), 500)
		return err
	}); err != nil {
		return 0, err
	}
	for _, e := range open {
		e.Call.HTTPStatus, e.Call.ResponseBody = 0, ""
		if err := s.store.WriteTx(ctx, func(tx Tx) error { return s.complete(ctx, tx, e, "") }); err != nil {
			return 0, fmt.Errorf("complete event %s: %w", e.ID, err)
		}
		s.cfg.Log.Warn("events: completed an event whose request never finished", "saas_id", e.SaaSID, "event_id", e.ID)
	}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		_, err := tx.PurgeEvents(ctx, now.Add(-s.cfg.Retention))
		return err
	})
	return len(open), err
}

// Events lists the SaaS's events, newest first.
func (s *Service) Events(ctx context.Context, saasID string, beforeSeq int64, limit int) (es []Event, err error) {
	limit = clampLimit(limit)
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) { es, err = tx.Events(ctx, saasID, beforeSeq, limit); return err })
	return es, err
}

// Deliveries lists an endpoint's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, saasID, endpointID string, f DeliveryFilter) (ds []Delivery, err error) {
	switch f.State {
	case "", Queued, Delivered, Dead:
	default:
		var fe errs.FieldErrors
		fe.Add("state", "must be pending, delivered or dead")
		return nil, fe.Err()
	}
	f.Limit = clampLimit(f.Limit)
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := tx.Endpoint(ctx, saasID, endpointID); err != nil {
			return err
		}
		ds, err = tx.Deliveries(ctx, saasID, endpointID, f)
		return err
	})
	return ds, notFound(err, "no webhook endpoint has that id")
}

// Redeliver sends an event to an endpoint again: a dead letter or a
// delivered event goes back to the endpoint's queue as pending, with its
// attempts reset. It goes out before the endpoint's newer pending events
// (the queue is worked in seq order). A pending one is left as it is.
func (s *Service) Redeliver(ctx context.Context, saasID, endpointID, eventID string) (d Delivery, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if d, err = tx.Delivery(ctx, saasID, endpointID, eventID); err != nil {
			return err
		}
		if d.State == Queued {
			return nil
		}
		_, _, err := tx.NextDelivery(ctx, saasID, endpointID)
		idle := errors.Is(err, errs.ErrNotExist)
		if err != nil && !idle {
			return err
		}
		d.State, d.Attempts, d.NextAt, d.FirstFailedAt, d.DeliveredAt = Queued, 0, s.cfg.Now(), time.Time{}, time.Time{}
		d.LastError, d.LastStatus = "", 0
		if err := tx.UpdateDelivery(ctx, d); err != nil || !idle {
			return err
		}
		return tx.EnqueueJob(ctx, DeliverEndpoint{SaaSID: saasID, EndpointID: endpointID})
	})
	return d, notFound(err, "that endpoint has no delivery of that event")
}

func clampLimit(n int) int {
	if n <= 0 || n > 100 {
		return 100
	}
	return n
}

// OutboxStats reads the state of every queue (metrics).
func (s *Service) OutboxStats(ctx context.Context) (st OutboxStats, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) { st, err = tx.OutboxStats(ctx); return err })
	return st, err
}
