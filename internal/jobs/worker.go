package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// funcWorker works the jobs of one kind with a plain function.
type funcWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	fn      func(context.Context, T) error
	metrics *Metrics
}

func (w *funcWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	start := time.Now()
	err := w.fn(ctx, job.Args)
	w.metrics.observe(job.Kind, time.Since(start), err)
	return err
}

// Snooze asks for the job to run again after d without counting an
// attempt: for work that is not due yet.
func Snooze(d time.Duration) error { return river.JobSnooze(d) }

// Cancel fails the job for good (it is not retried): for work that can
// never succeed.
func Cancel(err error) error { return river.JobCancel(err) }

// errorLogger logs a failed attempt once, at the boundary that owns it.
type errorLogger struct{ log *slog.Logger }

func (h *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.log.Warn("job failed; it will be retried unless out of attempts",
		"kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "error", err)
	return nil
}

func (h *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	h.log.Error("job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "panic", v, "trace", trace)
	return nil
}
