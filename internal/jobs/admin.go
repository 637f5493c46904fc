package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Job is one job as an operator sees it.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Args        json.RawMessage `json:"args"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	FinalizedAt *time.Time      `json:"finalized_at,omitempty"`
	LastError   string          `json:"last_error,omitempty"`
}

// The states a job can be in, as River names them.
var States = []string{"available", "scheduled", "pending", "running", "retryable", "completed", "cancelled", "discarded"}

// ErrNoJob is returned for a job id that does not exist (any more).
var ErrNoJob = errors.New("no such job")

// Admin lists and retries jobs without working any: what `saasplane jobs`
// uses, against the database of running servers.
type Admin struct {
	client  *river.Client[*sql.Tx]
	dialect string // the driver's DatabaseName: "postgres" or "sqlite"
}

// NewAdmin returns an Admin over driver (store.DB.JobDriver).
func NewAdmin(driver riverdriver.Driver[*sql.Tx]) (*Admin, error) {
	c, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Admin{client: c, dialect: driver.DatabaseName()}, nil
}

// ListFilter selects jobs; empty fields select all.
type ListFilter struct {
	States []string
	Kinds  []string
	// SaaSID selects the jobs whose arguments name this SaaS (saas_id):
	// the jobs done for one SaaS, what the SaaS's operator may see.
	SaaSID string
	IDs    []int64
	Limit  int // at most this many, newest first; default 100
}

// List returns the jobs that match f, newest first.
func (a *Admin) List(ctx context.Context, f ListFilter) ([]Job, error) {
	p := river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(orDefault(f.Limit, 100))
	if len(f.States) > 0 {
		states := make([]rivertype.JobState, 0, len(f.States))
		for _, s := range f.States {
			if !slices.Contains(States, s) {
				return nil, fmt.Errorf("unknown job state %q (want one of %v)", s, States)
			}
			states = append(states, rivertype.JobState(s))
		}
		p = p.States(states...)
	}
	if len(f.Kinds) > 0 {
		p = p.Kinds(f.Kinds...)
	}
	if len(f.IDs) > 0 {
		p = p.IDs(f.IDs...)
	}
	if f.SaaSID != "" {
		p = p.Where(a.argEquals("saas_id"), river.NamedArgs{"saas_id": f.SaaSID})
	}
	res, err := a.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, fromRow(r))
	}
	return out, nil
}

// argEquals is the condition that the job's argument name (a constant)
// equals the named argument of the same name.
func (a *Admin) argEquals(name string) string {
	if a.dialect == "sqlite" { // args is SQLite's binary JSON there
		return "json_extract(args, '$." + name + "') = @" + name
	}
	return "args ->> '" + name + "' = @" + name
}

// RetryOf retries job id like Retry if its arguments name the SaaS;
// another SaaS's job is ErrNoJob.
func (a *Admin) RetryOf(ctx context.Context, saasID string, id int64) (Job, error) {
	js, err := a.List(ctx, ListFilter{SaaSID: saasID, IDs: []int64{id}, Limit: 1})
	if err != nil {
		return Job{}, err
	}
	if len(js) == 0 {
		return Job{}, fmt.Errorf("job %d: %w", id, ErrNoJob)
	}
	return a.Retry(ctx, id)
}

// Retry makes job id available to run now, whatever its state: a
// discarded or cancelled job gets a new attempt; a running one is left
// alone.
func (a *Admin) Retry(ctx context.Context, id int64) (Job, error) {
	r, err := a.client.JobRetry(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return Job{}, fmt.Errorf("job %d: %w", id, ErrNoJob)
	}
	if err != nil {
		return Job{}, fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	return fromRow(r), nil
}

func fromRow(r *rivertype.JobRow) Job {
	j := Job{
		ID: r.ID, Kind: r.Kind, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		Args: json.RawMessage(r.EncodedArgs), CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(),
	}
	if r.FinalizedAt != nil {
		t := r.FinalizedAt.UTC()
		j.FinalizedAt = &t
	}
	if n := len(r.Errors); n > 0 {
		j.LastError = r.Errors[n-1].Error
	}
	return j
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
