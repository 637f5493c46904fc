package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/jobs"
)

// EventJobs are the outbound events' background work: each endpoint's
// delivery job and the periodic sweep (events left open by a crash,
// retention).
type EventJobs struct {
	Events     *events.Service
	SweepEvery time.Duration
	// Deliveries counts attempts by outcome; nil counts nothing.
	Deliveries *prometheus.CounterVec
}

// NewDeliveryCounter is saasplane_webhook_deliveries_total{outcome}.
func NewDeliveryCounter() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "saasplane_webhook_deliveries_total",
		Help: "Webhook delivery attempts, by outcome: delivered, failed (retried later) or dead (a dead letter).",
	}, []string{"outcome"})
	for _, o := range []events.Outcome{events.OutcomeDelivered, events.OutcomeFailed, events.OutcomeDead} {
		c.WithLabelValues(string(o))
	}
	return c
}

// Register hands the kinds to engine. A delivery that must wait for its
// next attempt snoozes; it never holds a worker.
func (e EventJobs) Register(engine *jobs.Engine) {
	var observe events.Observer
	if e.Deliveries != nil {
		observe = func(o events.Outcome) { e.Deliveries.WithLabelValues(string(o)).Inc() }
	}
	jobs.Handle(engine, func(ctx context.Context, a events.DeliverEndpoint) error {
		return snoozeFor(e.Events.Deliver(ctx, a.SaaSID, a.EndpointID, observe))
	})
	jobs.Handle(engine, func(ctx context.Context, _ events.Sweep) error {
		_, err := e.Events.Sweep(ctx)
		return err
	})
	engine.Every(events.Sweep{}, e.SweepEvery)
}

// outboxCollector reports the events' outbox at each scrape:
// saasplane_events_outbox_pending, saasplane_events_outbox_dead and
// saasplane_events_outbox_oldest_age_seconds.
type outboxCollector struct {
	svc                 *events.Service
	pending, dead, aged *prometheus.Desc
}

func newOutboxCollector(svc *events.Service) *outboxCollector {
	return &outboxCollector{svc: svc,
		pending: prometheus.NewDesc("saasplane_events_outbox_pending", "Webhook deliveries waiting to be made (all endpoints).", nil, nil),
		dead:    prometheus.NewDesc("saasplane_events_outbox_dead", "Webhook deliveries given up on (dead letters), until redelivered or purged.", nil, nil),
		aged: prometheus.NewDesc("saasplane_events_outbox_oldest_age_seconds",
			"Age of the oldest event with a pending delivery; 0 when none.", nil, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.dead
	ch <- c.aged
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.svc.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, err)
		return
	}
	age := 0.0
	if !st.Oldest.IsZero() {
		age = max(c.svc.Now().Sub(st.Oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(c.dead, prometheus.GaugeValue, float64(st.Dead))
	ch <- prometheus.MustNewConstMetric(c.aged, prometheus.GaugeValue, age)
}
