package billing

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// RunStatus is where an invoice run stands.
type RunStatus string

// Run statuses. A run is done once every tenant was tried; the tenants it
// could not invoice are its Failures, and a run of the period again tries
// them again.
const (
	RunQueued  RunStatus = "queued"
	RunRunning RunStatus = "running"
	RunDone    RunStatus = "done"
)

// Run triggers.
const (
	TriggerSchedule = "schedule" // the automatic period close
	TriggerManual   = "manual"   // POST /v1/billing/invoice-runs, saasplane invoices run
)

// Run is the finalization of every tenant's invoice for one period of one
// SaaS. Its counters say how far it got: Finalized (by this run),
// Existing (finalized before it), Skipped (nothing to invoice) and Failed.
type Run struct {
	ID         string
	Period     string
	Trigger    string
	Status     RunStatus
	Tenants    int
	Finalized  int
	Existing   int
	Skipped    int
	Failed     int
	Failures   []RunFailure
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
}

// Done is how many tenants the run has been through.
func (r Run) Done() int { return r.Finalized + r.Existing + r.Skipped + r.Failed }

// RunFailure is a tenant a run could not invoice, and why.
type RunFailure struct {
	TenantID string `json:"tenant_id"`
	Type     string `json:"type"`
	Message  string `json:"message"`
}

// Job is a background job a billing write enqueues (River's JobArgs,
// without River).
type Job interface{ Kind() string }

// WorkRun is the job that works one invoice run (Service.WorkRunFor). It
// is enqueued with the run, in the same transaction. A rerun after a
// crash picks up where the committed chunks left off: every invoice
// exists at most once per tenant and period.
type WorkRun struct {
	SaaSID string `json:"saas_id"`
	RunID  string `json:"run_id"`
}

// Kind implements river.JobArgs.
func (WorkRun) Kind() string { return "billing.work_run" }

// RunChunk is how many tenants one transaction of a run finalizes by
// default: the unit of progress a crash can lose and a rerun redoes.
const RunChunk = 200

// MaxFailures bounds the failures a run keeps (the count is exact).
const MaxFailures = 100

// StartRun queues a run of the period for every tenant. The period must
// have ended. A run of the same period already queued or running is
// returned instead (created false), so starting twice is safe.
func (s *Service) StartRun(ctx context.Context, saasID, period, trigger string) (Run, bool, error) {
	var run Run
	var created bool
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		var err error
		run, created, err = s.startRun(ctx, tx, saasID, period, trigger)
		return err
	})
	return run, created, err
}

func (s *Service) startRun(ctx context.Context, tx Tx, saasID, period, trigger string) (Run, bool, error) {
	loc, err := location(ctx, tx, saasID)
	if err != nil {
		return Run{}, false, err
	}
	p, err := ParsePeriod(period, loc)
	if err != nil {
		return Run{}, false, err
	}
	now := s.now()
	if now.Before(p.End) {
		return Run{}, false, errs.Conflict("period %s ends at %s: its invoices can be run once it has ended", p.Key, p.End.Format(time.RFC3339)).WithType("period_not_ended")
	}
	if active, ok, err := tx.ActiveRun(ctx, saasID, p.Key); err != nil || ok {
		return active, false, err
	}
	run := Run{ID: s.newID(), Period: p.Key, Trigger: trigger, Status: RunQueued, Failures: []RunFailure{}, CreatedAt: now}
	if err := tx.InsertRun(ctx, saasID, run); err != nil {
		return Run{}, false, err
	}
	return run, true, tx.EnqueueJob(ctx, WorkRun{SaaSID: saasID, RunID: run.ID})
}

// GetRun returns one run.
func (s *Service) GetRun(ctx context.Context, saasID, id string) (Run, error) {
	var run Run
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		run, err = tx.Run(ctx, saasID, id)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("invoice run %q not found", id)
		}
		return err
	})
	return run, err
}

// ListRuns returns the SaaS's runs, newest first (of one period when
// period is not empty).
func (s *Service) ListRuns(ctx context.Context, saasID, period string, limit int) ([]Run, error) {
	if limit <= 0 || limit > MaxList {
		return nil, errs.Invalid("limit: must be from 1 to %d", MaxList)
	}
	var out []Run
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Runs(ctx, saasID, period, limit)
		return err
	})
	return out, err
}

// WorkRun works a run to its end (WorkRunFor without a time budget).
func (s *Service) WorkRun(ctx context.Context, saasID, runID string) error {
	_, err := s.WorkRunFor(ctx, saasID, runID, 0)
	return err
}

// WorkRunFor works a run: it finalizes the invoice of every tenant that
// had a plan in the period or has earlier invoices (whose late usage an
// adjustment may be due for), RunChunk tenants per transaction, with the
// run's counters updated in the same transaction as the invoices. The
// counters say how many tenants are done, so the work resumes after them:
// after a crash (the chunks that committed stay done) and after a budget
// ran out. With budget > 0 it stops after the first chunk that ends past
// it and reports more: the job asks to be run again at once, so that no
// attempt outlives the job timeout however many tenants a SaaS has.
func (s *Service) WorkRunFor(ctx context.Context, saasID, runID string, budget time.Duration) (more bool, err error) {
	start := s.now()
	var run Run
	var ids []string
	var p Period
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		var err error
		if run, err = tx.Run(ctx, saasID, runID); err != nil || run.Status == RunDone {
			return err
		}
		loc, err := location(ctx, tx, saasID)
		if err != nil {
			return err
		}
		if p, err = ParsePeriod(run.Period, loc); err != nil {
			return err
		}
		if ids, err = s.billable(ctx, tx, saasID, p); err != nil {
			return err
		}
		if run.Status == RunQueued {
			run.Status, run.StartedAt = RunRunning, start
			run.Finalized, run.Existing, run.Skipped, run.Failed, run.Failures = 0, 0, 0, 0, []RunFailure{}
		}
		run.Tenants = len(ids)
		return tx.UpdateRun(ctx, saasID, run)
	})
	if err != nil || run.Status == RunDone {
		return false, err
	}
	for next := min(run.Done(), len(ids)); next < len(ids); next = min(run.Done(), len(ids)) {
		chunk := ids[next:min(next+s.chunk, len(ids))]
		var next Run
		err := s.store.WriteTx(ctx, func(tx Tx) error {
			var err error
			next, err = s.workChunk(ctx, tx, saasID, run, p, chunk)
			return err
		})
		if err != nil {
			return false, err
		}
		run = next
		if budget > 0 && run.Done() < len(ids) && s.now().Sub(start) >= budget {
			return true, nil // every attempt does at least one chunk
		}
	}
	return false, s.store.WriteTx(ctx, func(tx Tx) error {
		run.Status, run.FinishedAt = RunDone, s.now()
		return tx.UpdateRun(ctx, saasID, run)
	})
}

// billable lists the tenants a run of p tries: those with a plan at some
// instant of it, and those with earlier invoices.
func (s *Service) billable(ctx context.Context, tx Tx, saasID string, p Period) ([]string, error) {
	accounts, err := tx.Accounts(ctx, saasID)
	if err != nil {
		return nil, err
	}
	invoiced, err := tx.InvoicedTenants(ctx, saasID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var ids []string
	for _, a := range accounts {
		if invoiced[a.ID] || len(Segments(a.HistoryAt(now), p.Start, p.End, a.DeletedAt)) > 0 {
			ids = append(ids, a.ID)
		}
	}
	return ids, nil
}

// workChunk finalizes the invoices of some tenants and records the
// outcome of each in a copy of the run, in tx, and returns that copy. The
// run passed is left alone, so a transaction that is tried again (a
// PostgreSQL serialization conflict) or fails counts nothing twice.
func (s *Service) workChunk(ctx context.Context, tx Tx, saasID string, run Run, p Period, ids []string) (Run, error) {
	loc := p.Start.Location()
	next := run
	next.Failures = append([]RunFailure(nil), run.Failures...)
	accounts, err := tx.Accounts(ctx, saasID, ids...)
	if err != nil {
		return run, err
	}
	cat := newCatalog(tx, saasID)
	for _, a := range accounts {
		inv, created, err := s.finalize(ctx, cat, loc, a, p, run.ID)
		switch kind := errs.KindOf(err); {
		case err == nil && (created || inv.RunID == run.ID):
			next.Finalized++
		case err == nil:
			next.Existing++
		case errorType(err) == "nothing_to_invoice" || errorType(err) == "wrong_period":
			next.Skipped++
		case kind != errs.KindInternal:
			next.Failed++
			if len(next.Failures) < MaxFailures {
				next.Failures = append(next.Failures, RunFailure{TenantID: a.ID, Type: errorType(err), Message: err.Error()})
			}
		default:
			return run, err
		}
	}
	return next, tx.UpdateRun(ctx, saasID, next)
}

// errorType is the wire type of a domain error.
func errorType(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.WireType()
	}
	return ""
}

// CloseDue starts the scheduled runs that are due for one SaaS: every
// month (and every year) that ended at least grace ago, from the one after
// the latest scheduled run of that cadence up to the latest that is due;
// a SaaS's first close runs the latest due period only (older ones are
// run by hand: saasplane invoices run --period P). One scheduled run per
// period, ever, on any number of servers: a second is refused by the
// store. It returns the runs it started.
func (s *Service) CloseDue(ctx context.Context, saasID string, grace time.Duration) ([]Run, error) {
	var due []string
	if err := s.store.ReadTx(ctx, func(tx Tx) error { // most looks find nothing: no write for them
		var err error
		due, err = s.duePeriods(ctx, tx, saasID, grace)
		return err
	}); err != nil || len(due) == 0 {
		return nil, err
	}
	var started []Run
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		started = nil
		due, err := s.duePeriods(ctx, tx, saasID, grace)
		if err != nil {
			return err
		}
		for _, p := range due {
			run, created, err := s.startRun(ctx, tx, saasID, p, TriggerSchedule)
			if err != nil {
				return err
			}
			if created {
				started = append(started, run)
			}
		}
		return nil
	})
	if errors.Is(err, errs.ErrDuplicate) { // another server closed them first
		return nil, nil
	}
	return started, err
}

// duePeriods lists the periods whose scheduled run is due, months first.
func (s *Service) duePeriods(ctx context.Context, tx Tx, saasID string, grace time.Duration) ([]string, error) {
	loc, err := location(ctx, tx, saasID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []string
	for _, yearly := range []bool{false, true} {
		due := PeriodOf(now.Add(-grace), yearly, loc)
		due = PeriodOf(due.Start.Add(-time.Second), yearly, loc) // the period before: it ended grace ago
		from := due
		last, ok, err := tx.LastScheduledRun(ctx, saasID, yearly)
		if err != nil {
			return nil, err
		}
		if ok {
			lp, err := ParsePeriod(last, loc)
			if err != nil {
				return nil, err
			}
			from = lp.Next()
		}
		for p := from; !p.Start.After(due.Start); p = p.Next() {
			out = append(out, p.Key)
		}
	}
	return out, nil
}

// CloseAllDue runs CloseDue for every SaaS: the periodic close.
func (s *Service) CloseAllDue(ctx context.Context, grace time.Duration) (int, error) {
	var ids []string
	if err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		ids, err = tx.SaaSIDs(ctx)
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		runs, err := s.CloseDue(ctx, id, grace)
		if err != nil {
			return n, err
		}
		n += len(runs)
	}
	return n, nil
}
