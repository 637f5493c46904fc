package app

import (
	"context"
	"errors"
	"strings"

	"github.com/saasplane/saasplane/internal/api/jobsapi"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/jobs"
)

// SaaSJobs adapts the jobs engine's admin to /v1/background: the jobs
// whose arguments name the calling SaaS.
type SaaSJobs struct{ Admin *jobs.Admin }

var _ jobsapi.Jobs = SaaSJobs{}

// List implements jobsapi.Jobs.
func (s SaaSJobs) List(ctx context.Context, saasID string, f jobsapi.Filter) ([]jobsapi.Job, error) {
	js, err := s.Admin.List(ctx, jobs.ListFilter{SaaSID: saasID, States: f.States, Kinds: f.Kinds, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]jobsapi.Job, len(js))
	for i, j := range js {
		out[i] = toAPIJob(j)
	}
	return out, nil
}

// Retry implements jobsapi.Jobs.
func (s SaaSJobs) Retry(ctx context.Context, saasID string, id int64) (jobsapi.Job, error) {
	j, err := s.Admin.RetryOf(ctx, saasID, id)
	if errors.Is(err, jobs.ErrNoJob) {
		return jobsapi.Job{}, errs.NotFound("no job of this SaaS has that id (finished jobs are kept an hour, discarded ones seven days)")
	}
	return toAPIJob(j), err
}

func toAPIJob(j jobs.Job) jobsapi.Job {
	return jobsapi.Job{ID: j.ID, Kind: j.Kind, State: j.State, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, Args: j.Args,
		CreatedAt: j.CreatedAt, ScheduledAt: j.ScheduledAt, FinalizedAt: j.FinalizedAt,
		LastError: strings.TrimPrefix(j.LastError, "JobCancelError: ")} // the state says it was cancelled
}
