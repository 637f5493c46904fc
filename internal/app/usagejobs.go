package app

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/jobs"
	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

// UsageJobs are the marketplaces' usage reporting on the jobs engine: for
// each marketplace, a periodic fan-out that enqueues a round for every
// SaaS reporting usage, and the round itself, a call unique per SaaS
// (jobs.ReportAWSUsageOf, jobs.ReportAzureUsageOf) that the API's
// usage-reports/run joins too, so one SaaS's rounds never overlap.
type UsageJobs struct {
	AWS        *aws.Service
	Azure      *azure.Service
	AWSEvery   time.Duration // how often every SaaS's AWS round runs
	AzureEvery time.Duration // and its Azure one
}

// Register hands the kinds to engine, whose node must work
// jobs.QueueDefault.
func (u UsageJobs) Register(engine *jobs.Engine) {
	jobs.HandleCall(engine, func(ctx context.Context, a jobs.ReportAWSUsageOf) (marketplace.ReportRound, error) {
		return u.AWS.ReportUsageOf(ctx, a.SaaSID)
	})
	jobs.Handle(engine, func(ctx context.Context, _ jobs.ReportAWSUsage) error {
		ids, err := u.AWS.UsageSaaSIDs(ctx)
		if err != nil {
			return err
		}
		rounds := make([]jobs.ReportAWSUsageOf, len(ids))
		for i, id := range ids {
			rounds[i] = jobs.ReportAWSUsageOf{SaaSID: id}
		}
		return jobs.InsertUnique(ctx, engine, rounds)
	})
	engine.Every(jobs.ReportAWSUsage{}, u.AWSEvery)

	jobs.HandleCall(engine, func(ctx context.Context, a jobs.ReportAzureUsageOf) (marketplace.ReportRound, error) {
		return u.Azure.ReportAzureUsageOf(ctx, a.SaaSID)
	})
	jobs.Handle(engine, func(ctx context.Context, _ jobs.ReportAzureUsage) error {
		ids, err := u.Azure.AzureUsageSaaSIDs(ctx)
		if err != nil {
			return err
		}
		rounds := make([]jobs.ReportAzureUsageOf, len(ids))
		for i, id := range ids {
			rounds[i] = jobs.ReportAzureUsageOf{SaaSID: id}
		}
		return jobs.InsertUnique(ctx, engine, rounds)
	})
	engine.Every(jobs.ReportAzureUsage{}, u.AzureEvery)
}

// AWSRound runs a SaaS's AWS usage round on engine and waits for it.
func AWSRound(engine *jobs.Engine) marketplace.RoundRunner {
	return func(ctx context.Context, saasID string) (marketplace.ReportRound, error) {
		return jobs.Call[marketplace.ReportRound](ctx, engine, jobs.ReportAWSUsageOf{SaaSID: saasID})
	}
}

// AzureRound runs a SaaS's Azure usage round on engine and waits for it.
func AzureRound(engine *jobs.Engine) marketplace.RoundRunner {
	return func(ctx context.Context, saasID string) (marketplace.ReportRound, error) {
		return jobs.Call[marketplace.ReportRound](ctx, engine, jobs.ReportAzureUsageOf{SaaSID: saasID})
	}
}
