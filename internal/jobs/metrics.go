package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exports, per kind of job: how many jobs wait in each state and
// how long the oldest available one has waited (read from the database at
// each scrape, so every node reports the whole cluster's queue), and how
// many attempts this node has worked and how many of them failed.
type Metrics struct {
	db      *sql.DB
	dialect string
	log     *slog.Logger

	worked   *prometheus.CounterVec
	failed   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	jobs     *prometheus.Desc
	age      *prometheus.Desc

	mu    sync.Mutex
	kinds []string // registered with Handle: reported even while idle
}

// queueStates are the states the saasplane_jobs gauge reports.
var queueStates = []string{"available", "scheduled", "retryable", "running", "discarded"}

// track makes kind's series exist, at zero, before its first job.
func (m *Metrics) track(kind string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kinds = append(m.kinds, kind)
	m.worked.WithLabelValues(kind)
	m.failed.WithLabelValues(kind)
	m.duration.WithLabelValues(kind)
}

// NewMetrics returns the job metrics over db, the pool of the database the
// jobs are in, whose River driver is named dialect ("sqlite" or
// "postgres", as riverdriver.Driver.DatabaseName says).
func NewMetrics(db *sql.DB, dialect string, log *slog.Logger) *Metrics {
	return &Metrics{
		db: db, dialect: dialect, log: log,
		worked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "saasplane_jobs_worked_total", Help: "Job attempts worked by this node, by kind.",
		}, []string{"kind"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "saasplane_jobs_failed_total", Help: "Job attempts that failed on this node (to be retried, or discarded after the last attempt), by kind.",
		}, []string{"kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "saasplane_jobs_duration_seconds", Help: "How long job attempts ran on this node, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"kind"}),
		jobs: prometheus.NewDesc("saasplane_jobs",
			"Jobs in the database by kind and state (available, scheduled, retryable, running, discarded).", []string{"kind", "state"}, nil),
		age: prometheus.NewDesc("saasplane_jobs_oldest_available_seconds",
			"How long the oldest available job of each kind has been due without being worked.", []string{"kind"}, nil),
	}
}

func (m *Metrics) observe(kind string, d time.Duration, err error) {
	if m == nil {
		return
	}
	m.worked.WithLabelValues(kind).Inc()
	m.duration.WithLabelValues(kind).Observe(d.Seconds())
	if err != nil {
		m.failed.WithLabelValues(kind).Inc()
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.worked.Describe(ch)
	m.failed.Describe(ch)
	m.duration.Describe(ch)
	ch <- m.jobs
	ch <- m.age
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.worked.Collect(ch)
	m.failed.Collect(ch)
	m.duration.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := m.Queue(ctx)
	if err != nil {
		m.log.Warn("job metrics: read the queue", "error", err)
		return
	}
	type key struct{ kind, state string }
	seen := map[key]bool{}
	for _, s := range stats {
		seen[key{s.Kind, s.State}] = true
		ch <- prometheus.MustNewConstMetric(m.jobs, prometheus.GaugeValue, float64(s.Count), s.Kind, s.State)
		if s.State == "available" {
			ch <- prometheus.MustNewConstMetric(m.age, prometheus.GaugeValue, s.OldestAge.Seconds(), s.Kind)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.kinds {
		for _, st := range queueStates {
			if !seen[key{k, st}] {
				ch <- prometheus.MustNewConstMetric(m.jobs, prometheus.GaugeValue, 0, k, st)
			}
		}
		if !seen[key{k, "available"}] {
			ch <- prometheus.MustNewConstMetric(m.age, prometheus.GaugeValue, 0, k)
		}
	}
}

// QueueStat is the jobs of one kind in one state.
type QueueStat struct {
	Kind, State string
	Count       int64
	OldestAge   time.Duration // since the oldest one became due
}

// Queue reads the jobs not yet finished (and the discarded ones), counted
// by kind and state. The oldest age is the wait of the job that has been
// due longest; it is negative for jobs scheduled in the future.
func (m *Metrics) Queue(ctx context.Context) ([]QueueStat, error) {
	age := `CAST(EXTRACT(EPOCH FROM now() - MIN(scheduled_at)) AS DOUBLE PRECISION)`
	if m.dialect == "sqlite" {
		age = `(julianday('now') - julianday(MIN(scheduled_at))) * 86400.0`
	}
	rows, err := m.db.QueryContext(ctx, `SELECT kind, state, COUNT(*), `+age+` FROM river_job
		WHERE state IN ('`+strings.Join(queueStates, "', '")+`')
		GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueueStat
	for rows.Next() {
		var s QueueStat
		var secs float64
		if err := rows.Scan(&s.Kind, &s.State, &s.Count, &secs); err != nil {
			return nil, err
		}
		s.OldestAge = time.Duration(secs * float64(time.Second))
		out = append(out, s)
	}
	return out, rows.Err()
}
