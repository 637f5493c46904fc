package meteringapi

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/saasplane/saasplane/internal/metering"
)

// Collectors returns the metering committer's metrics for a Prometheus
// registry. Batch size is updates_total ÷ batches_total; the time a batch
// holds the writer is commit_seconds_total ÷ batches_total.
func Collectors(svc *metering.Service) []prometheus.Collector {
	stat := func(f func(metering.Stats) float64) func() float64 {
		return func() float64 { return f(svc.Stats()) }
	}
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_metering_batches_total",
			Help: "Metering transactions run by the committer (each groups the updates queued meanwhile).",
		}, stat(func(s metering.Stats) float64 { return float64(s.Batches) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_metering_updates_total",
			Help: "Count updates and deletes carried by those transactions, acknowledged or refused one by one.",
		}, stat(func(s metering.Stats) float64 { return float64(s.Updates) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_metering_failed_batches_total",
			Help: "Metering transactions that failed as a whole (their updates were answered with an error, none applied).",
		}, stat(func(s metering.Stats) float64 { return float64(s.Failed) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_metering_commit_seconds_total",
			Help: "Time the committer spent in transactions, durable commit included.",
		}, stat(func(s metering.Stats) float64 { return s.Busy.Seconds() })),
	}
}
