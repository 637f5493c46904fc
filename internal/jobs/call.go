package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/saasplane/saasplane/internal/errs"
)

// A call is a job whose caller waits for its result, from any node: a
// request that asks for work done now (a usage round) gets it done by the
// same job, under the same uniqueness, as the periodic schedule. A call's
// kind is unique by its arguments while a job of it is queued, running or
// waiting to retry (CallOpts), so two calls for one SaaS never run at
// once, and a call that finds one queued joins it.

// callUniqueStates are the states in which a call's job keeps another of
// the same arguments from being inserted: River's four, and retryable, so
// that no second one starts while the first waits for its retry.
var callUniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable,
}

// callMaxAttempts bounds a call's retries: a call's work is also on a
// schedule, so one that keeps failing is discarded (and shows as such)
// rather than holding the next ones back for days.
const callMaxAttempts = 3

// CallOpts are the insert options of a call's kind: its InsertOpts method
// returns them, so every insert of the kind, Call's or a periodic
// fan-out's (InsertUnique), is unique by arguments.
func CallOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: callMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: callUniqueStates}}
}

// callResult is a call's recorded output: its value, or the domain error
// it ended with.
type callResult[R any] struct {
	Value R          `json:"value"`
	Error *callError `json:"error,omitempty"`
}

// callError is an *errs.Error as it crosses to the caller: what is safe to
// show (the cause stays in the worker's log).
type callError struct {
	Kind    string            `json:"kind"`
	Type    string            `json:"type,omitempty"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// HandleCall makes fn the worker of T's jobs, recording what it returns as
// the job's output for Call. A domain error (an *errs.Error of a kind
// other than internal) is recorded too and the job completes: running it
// again would not change the answer, which the caller gets as is. Any
// other error fails the attempt, and River retries it.
func HandleCall[T river.JobArgs, R any](e *Engine, fn func(ctx context.Context, args T) (R, error)) {
	Handle(e, func(ctx context.Context, args T) error {
		v, err := fn(ctx, args)
		out := callResult[R]{Value: v}
		var de *errs.Error
		switch {
		case err == nil:
		case errors.As(err, &de) && de.Kind != errs.KindInternal:
			out.Error = &callError{Kind: de.Kind.String(), Type: de.Type, Message: de.Message, Fields: de.Fields}
			e.log.Info("job ended with an answer for its caller", "kind", args.Kind(), "error", err)
		default:
			return err
		}
		return river.RecordOutput(ctx, out)
	})
}

// Call runs a job with args (a kind whose InsertOpts are CallOpts, worked
// by HandleCall) and waits for its result. A job of the same arguments
// already queued is joined. One already running is waited for and a new
// one inserted after it: it may have read its data before the call was
// made. An attempt that fails answers errs.KindUnavailable (the job is
// retried in the background); a discarded or cancelled job answers an
// internal error.
func Call[R any](ctx context.Context, e *Engine, args river.JobArgs) (R, error) {
	var zero R
	if e.client == nil {
		return zero, errors.New("jobs: call before Start")
	}
	for joins := 0; ; joins++ {
		res, err := e.client.Insert(ctx, args, withQueue(args, nil))
		if err != nil {
			return zero, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
		}
		if res.UniqueSkippedAsDuplicate && res.Job.State == rivertype.JobStateRunning && joins < 3 {
			if _, err := e.await(ctx, res.Job.ID); err != nil && ctx.Err() != nil {
				return zero, err
			}
			continue
		}
		job, err := e.await(ctx, res.Job.ID)
		if err != nil {
			return zero, err
		}
		var out callResult[R]
		if err := json.Unmarshal(job.Output(), &out); err != nil {
			return zero, fmt.Errorf("jobs: %s job %d recorded no result: %w", job.Kind, job.ID, err)
		}
		if ce := out.Error; ce != nil {
			kind, _ := errs.KindNamed(ce.Kind)
			return zero, &errs.Error{Kind: kind, Type: ce.Type, Message: ce.Message, Fields: ce.Fields}
		}
		return out.Value, nil
	}
}

// await polls job id until it completes (the job is returned), fails an
// attempt, ends otherwise, or ctx ends.
func (e *Engine) await(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	wait := 5 * time.Millisecond
	for {
		job, err := e.client.JobGet(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("jobs: job %d: %w", id, err)
		}
		switch job.State {
		case rivertype.JobStateCompleted:
			return job, nil
		case rivertype.JobStateRetryable:
			return nil, errs.E(errs.KindUnavailable, "the %s job %d failed (attempt %d of %d) and will be retried: %s",
				job.Kind, id, job.Attempt, job.MaxAttempts, lastError(job))
		case rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
			return nil, fmt.Errorf("jobs: %s job %d was %s: %s", job.Kind, id, job.State, lastError(job))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, e.cfg.PollInterval, 100*time.Millisecond)
	}
}

// lastError is the error of a job's last failed attempt.
func lastError(job *rivertype.JobRow) string {
	if len(job.Errors) == 0 {
		return "no error recorded"
	}
	return job.Errors[len(job.Errors)-1].Error
}

// InsertUnique enqueues a job of a call's kind for each of args, skipping
// those already queued or running (CallOpts): a periodic fan-out.
func InsertUnique[T river.JobArgs](ctx context.Context, e *Engine, args []T) error {
	if e.client == nil {
		return errors.New("jobs: insert before Start")
	}
	if len(args) == 0 {
		return nil
	}
	ps := make([]river.InsertManyParams, 0, len(args))
	seen := make(map[string]bool, len(args)) // River refuses a batch holding one unique job twice
	for _, a := range args {
		key, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("jobs: %s arguments: %w", a.Kind(), err)
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		ps = append(ps, river.InsertManyParams{Args: a, InsertOpts: withQueue(a, nil)})
	}
	if _, err := e.client.InsertMany(ctx, ps); err != nil {
		return fmt.Errorf("jobs: insert %d %s jobs: %w", len(args), args[0].Kind(), err)
	}
	return nil
}
