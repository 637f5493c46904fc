package app

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/jobs"
)

// EmulatorJobs are the emulators' background work, worked in the
// jobs.QueueEmulators queue.
type EmulatorJobs struct {
	SNS      *awsemu.Deliverer // posts the AWS emulator's SNS messages
	Webhooks *azemu.Deliverer  // posts the Azure emulator's webhook calls
	Azure    *azemu.Service    // completes its due operations and terms
	// SettleEvery is how often the Azure emulator's due operations and
	// ended terms are completed when no request does it first.
	SettleEvery time.Duration
}

// Register hands the kinds to engine, whose node must work
// jobs.QueueEmulators. A delivery job that must wait (a retry's backoff,
// an unconfirmed SNS subscription) snoozes; it never holds a worker.
func (e EmulatorJobs) Register(engine *jobs.Engine) {
	jobs.Handle(engine, func(ctx context.Context, a awsemu.DeliverSNS) error {
		return snoozeFor(e.SNS.Deliver(ctx, a.SubscriptionArn))
	})
	jobs.Handle(engine, func(ctx context.Context, a azemu.DeliverWebhooks) error {
		return snoozeFor(e.Webhooks.Deliver(ctx, a.SubscriptionID))
	})
	jobs.Handle(engine, func(ctx context.Context, _ azemu.SettleDue) error { return e.Azure.SettleDue(ctx) })
	engine.Every(azemu.SettleDue{}, e.SettleEvery)
}

// snoozeFor turns a delivery's "run again after wait" into a snooze.
func snoozeFor(wait time.Duration, err error) error {
	if err != nil || wait <= 0 {
		return err
	}
	return jobs.Snooze(wait)
}
