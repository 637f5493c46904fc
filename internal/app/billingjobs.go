package app

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/jobs"
)

// runBudget is how long one attempt of an invoice run works at most before
// it snoozes to go on in the next; never more than half of what the job
// timeout (--job-timeout) leaves it.
const runBudget = 20 * time.Second

// BillingJobs is the billing engine's background work: the periodic close
// of ended periods and the invoice runs it (or a person) starts.
type BillingJobs struct {
	Billing    *billing.Service
	Grace      time.Duration // how long after a period's end its close waits for late usage
	CloseEvery time.Duration // how often the close looks for due periods
}

// Register hands the kinds to the engine.
func (b BillingJobs) Register(engine *jobs.Engine) {
	jobs.Handle(engine, func(ctx context.Context, a billing.WorkRun) error {
		budget := runBudget
		if dl, ok := ctx.Deadline(); ok {
			budget = min(budget, time.Until(dl)/2)
		}
		more, err := b.Billing.WorkRunFor(ctx, a.SaaSID, a.RunID, max(budget, time.Millisecond))
		if err == nil && more { // a large run: go on in a new attempt, within the job timeout
			return jobs.Snooze(0)
		}
		return err
	})
	jobs.Handle(engine, func(ctx context.Context, _ jobs.CloseBillingPeriods) error {
		_, err := b.Billing.CloseAllDue(ctx, b.Grace)
		return err
	})
	engine.Every(jobs.CloseBillingPeriods{}, b.CloseEvery)
}
