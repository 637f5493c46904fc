package tenant

import (
	"context"
	"log/slog"
	"time"
)

// Scheduler applies due plan reservations in the background. Reservations
// are stored, so one that fell due while no server ran is applied at the
// next start, with its own time as plan_applied_at. Any number of
// schedulers may run against one database: each reservation is applied
// exactly once (see Service.ApplyDue).
//
// Reads apply due reservations of the tenants they return as well, so
// the tick only bounds how long an unread tenant waits.
type Scheduler struct {
	svc   *Service
	every time.Duration
	log   *slog.Logger
}

// NewScheduler returns a scheduler that checks for due reservations every
// interval.
func NewScheduler(svc *Service, every time.Duration, log *slog.Logger) *Scheduler {
	return &Scheduler{svc: svc, every: every, log: log}
}

// Run applies due reservations until ctx ends, first at once and then
// every interval. Errors are logged and retried at the next tick.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		if n, err := s.svc.ApplyDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("apply due plan reservations", "err", err)
		} else if n > 0 {
			s.log.Debug("applied due plan reservations", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
