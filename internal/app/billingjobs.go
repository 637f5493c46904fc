package app

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/jobs"
)

// BillingJobs is the billing engine's background work: the periodic close
// of ended periods and the invoice runs it (or a person) starts.
type BillingJobs struct {
	Billing    *billing.Service
	Grace      time.Duration // how long after a period's end its close waits for late usage
	CloseEvery time.Duration // how often the close looks for due periods
}

// Register hands the kinds to the engine.
func (b BillingJobs) Register(engine *jobs.Engine) {
	jobs.Handle(engine, func(ctx context.Context, a billing.WorkRun) error { return b.Billing.WorkRun(ctx, a.SaaSID, a.RunID) })
	jobs.Handle(engine, func(ctx context.Context, _ jobs.CloseBillingPeriods) error {
		_, err := b.Billing.CloseAllDue(ctx, b.Grace)
		return err
	})
	engine.Every(jobs.CloseBillingPeriods{}, b.CloseEvery)
}
