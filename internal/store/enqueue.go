package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/riverqueue/river"
)

// A domain transaction enqueues the background job its write causes
// through its Tx (the emulators' deliveries): the job is a row of
// River's river_job written in the same transaction, so it exists if and
// only if the write commits. The domain names the job by a value with a
// Kind method (River's JobArgs, without importing River); internal/app
// registers the worker of each kind on the engine.

// inserter is an insert-only River client: it works no jobs, it only
// writes them (one per DB, made on first use).
type inserter struct {
	once   sync.Once
	client *river.Client[*sql.Tx]
	err    error
}

func (db *DB) jobInserter() (*river.Client[*sql.Tx], error) {
	db.inserter.once.Do(func() {
		db.inserter.client, db.inserter.err = river.NewClient(db.JobDriver(), &river.Config{})
	})
	return db.inserter.client, db.inserter.err
}

// enqueue writes job in the transaction. A job whose type has a Queue()
// string method goes to that queue (else River's default queue); one with
// a MaxAttempts() int method is tried that many times (else River's 25).
func (t *Tx) enqueue(ctx context.Context, job river.JobArgs) error {
	c, err := t.db.jobInserter()
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	opts := &river.InsertOpts{}
	if q, ok := job.(interface{ Queue() string }); ok {
		opts.Queue = q.Queue()
	}
	if m, ok := job.(interface{ MaxAttempts() int }); ok {
		opts.MaxAttempts = m.MaxAttempts()
	}
	if _, err := c.InsertTx(ctx, t.tx, job, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind(), err)
	}
	return nil
}
