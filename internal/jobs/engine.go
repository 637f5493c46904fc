// Package jobs is saasplane's one engine for background work, on River
// (github.com/riverqueue/river). Every sweep, delivery and report that runs
// outside a request is a job of a kind listed in kinds.go, worked by a
// function that the composition root (internal/app) hands to Handle, and
// stored in the main database beside the data it concerns, on SQLite and
// on PostgreSQL alike.
//
// What River gives every kind: retries with exponential backoff, a
// dead-letter state ("discarded") with manual retry, unique and periodic
// jobs, snoozing, and several nodes on one PostgreSQL (periodic jobs are
// enqueued by the elected leader only; each job is worked by one node).
// Delivery is at least once: a job whose node dies mid-run is rescued and
// run again, so every handler's side effect is idempotent (see
// docs/architecture.md, "Background work").
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Defaults of Config.
const (
	DefaultWorkers      = 4
	DefaultPollInterval = time.Second
	DefaultJobTimeout   = time.Minute
	DefaultRescueAfter  = 5 * time.Minute
	// DefaultRetention is how long finished jobs stay listable (saasplane
	// jobs list); discarded ones stay a week, for a manual retry.
	DefaultRetention          = time.Hour
	DefaultDiscardedRetention = 7 * 24 * time.Hour
	// DefaultMaxAttempts bounds the retries of a job before it is
	// discarded: with River's backoff (attempt⁴ seconds) 25 attempts span
	// about three weeks.
	DefaultMaxAttempts = 25
)

// Config tunes one node's engine. Zero values take the defaults.
type Config struct {
	// Workers is how many jobs this node works at once.
	Workers int
	// PollInterval is how often this node looks for jobs that became
	// available (River's poll-only mode: the same on both databases).
	PollInterval time.Duration
	// JobTimeout cancels a job's context after this long.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// for the work of a dead node and made available again. It must
	// exceed JobTimeout.
	RescueAfter time.Duration
	// Retention is how long completed and cancelled jobs are kept.
	Retention time.Duration
	// ID names this node among the nodes of one database; empty lets River
	// pick a unique one.
	ID string
	// Queues are the queues this node works, each with Workers workers;
	// empty means QueueDefault only. A job goes to the queue its
	// arguments' Queue() method names, else to QueueDefault.
	Queues []string
}

// The queues. The emulators' deliveries have a queue of their own, so a
// slow webhook receiver never holds up saasplane's own work, and a node
// (or a test) works them only when it serves the emulators.
const (
	QueueDefault   = river.QueueDefault
	QueueEmulators = "emulators"
)

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	set(&c.PollInterval, DefaultPollInterval)
	set(&c.JobTimeout, DefaultJobTimeout)
	set(&c.RescueAfter, DefaultRescueAfter)
	set(&c.Retention, DefaultRetention)
	if len(c.Queues) == 0 {
		c.Queues = []string{QueueDefault}
	}
	return c
}

// Validate reports every invalid setting.
func (c Config) Validate() error {
	c = c.withDefaults()
	var es []error
	if c.PollInterval < 10*time.Millisecond {
		es = append(es, errors.New("jobs: poll interval must be at least 10ms"))
	}
	if c.RescueAfter <= c.JobTimeout {
		es = append(es, fmt.Errorf("jobs: rescue-after (%s) must exceed the job timeout (%s)", c.RescueAfter, c.JobTimeout))
	}
	return errors.Join(es...)
}

// Engine is one node's job engine: register kinds with Handle and Every,
// then Start it; Stop finishes the running jobs.
type Engine struct {
	driver   riverdriver.Driver[*sql.Tx]
	cfg      Config
	log      *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	metrics  *Metrics
	client   *river.Client[*sql.Tx]
}

// New returns an engine over driver (store.DB.JobDriver). metrics may be
// nil.
func New(driver riverdriver.Driver[*sql.Tx], cfg Config, metrics *Metrics, log *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Engine{driver: driver, cfg: cfg.withDefaults(), log: log, workers: river.NewWorkers(), metrics: metrics}, nil
}

// Handle makes fn the worker of the jobs of T's kind. An error makes River
// retry the job with backoff; fn must be idempotent, since a job may run
// again after a crash.
func Handle[T river.JobArgs](e *Engine, fn func(ctx context.Context, args T) error) {
	var args T
	e.metrics.track(args.Kind())
	river.AddWorker(e.workers, &funcWorker[T]{fn: fn, metrics: e.metrics})
}

// Every enqueues a job with args every interval, and once when the
// engine's node becomes the leader (River starts its leader's periodic
// enqueuer a second or two after the election). Only the leader enqueues,
// and a periodic kind is unique while a job of it is pending, scheduled,
// available or running: the enqueuer skips an interval whose predecessor
// has not finished, so a cluster never runs two of one periodic kind at
// once, whoever leads. A job waiting to retry does not hold the next ones
// back; if it falls due while another is queued, River discards it.
func (e *Engine) Every(args river.JobArgs, every time.Duration) {
	opts := &river.InsertOpts{Queue: queueOf(args), UniqueOpts: river.UniqueOpts{ByState: periodicUniqueStates}}
	e.periodic = append(e.periodic, river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return args, opts },
		&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true},
	))
}

// periodicUniqueStates are the states in which a periodic job keeps the
// next of its kind from being enqueued (the four River requires).
var periodicUniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// queueOf is the queue a job's arguments name, else QueueDefault.
func queueOf(args river.JobArgs) string {
	if q, ok := args.(interface{ Queue() string }); ok {
		return q.Queue()
	}
	return QueueDefault
}

// withQueue sets the queue of opts from args when opts names none.
func withQueue(args river.JobArgs, opts *river.InsertOpts) *river.InsertOpts {
	o := river.InsertOpts{}
	if opts != nil {
		o = *opts
	}
	if o.Queue == "" {
		o.Queue = queueOf(args)
	}
	return &o
}

func (e *Engine) queues() map[string]river.QueueConfig {
	qs := make(map[string]river.QueueConfig, len(e.cfg.Queues))
	for _, q := range e.cfg.Queues {
		qs[q] = river.QueueConfig{MaxWorkers: e.cfg.Workers}
	}
	return qs
}

// Start starts working jobs until Stop.
func (e *Engine) Start(ctx context.Context) error {
	c, err := river.NewClient(e.driver, &river.Config{
		ID:                          e.cfg.ID,
		Logger:                      e.log.With("component", "jobs"),
		Workers:                     e.workers,
		PeriodicJobs:                e.periodic,
		Queues:                      e.queues(),
		PollOnly:                    true,
		FetchPollInterval:           e.cfg.PollInterval,
		FetchCooldown:               min(e.cfg.PollInterval, river.FetchCooldownDefault),
		JobTimeout:                  e.cfg.JobTimeout,
		RescueStuckJobsAfter:        e.cfg.RescueAfter,
		MaxAttempts:                 DefaultMaxAttempts,
		CompletedJobRetentionPeriod: e.cfg.Retention,
		CancelledJobRetentionPeriod: e.cfg.Retention,
		DiscardedJobRetentionPeriod: DefaultDiscardedRetention,
		ErrorHandler:                &errorLogger{log: e.log},
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	e.client = c
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish, or
// cancels them when ctx ends first (they are then retried).
func (e *Engine) Stop(ctx context.Context) error {
	if e.client == nil {
		return nil
	}
	if err := e.client.Stop(ctx); err != nil {
		if ctx.Err() == nil {
			return fmt.Errorf("jobs: stop: %w", err)
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return e.client.StopAndCancel(sctx)
	}
	return nil
}

// Insert enqueues a job. opts may be nil.
func (e *Engine) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	if e.client == nil {
		return 0, errors.New("jobs: insert before Start")
	}
	res, err := e.client.Insert(ctx, args, withQueue(args, opts))
	if err != nil {
		return 0, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// InsertTx enqueues a job in tx, the transaction of the write that causes
// it: the job exists if and only if tx commits.
func (e *Engine) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	if e.client == nil {
		return 0, errors.New("jobs: insert before Start")
	}
	res, err := e.client.InsertTx(ctx, tx, args, withQueue(args, opts))
	if err != nil {
		return 0, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}
