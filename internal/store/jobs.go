package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Background jobs are River's (see internal/jobs). Their tables (river_job,
// river_queue, river_leader, ...) live in the main database beside ours, so
// a job is enqueued in the same transaction as the write that causes it.
// River versions its own schema; Migrate applies River's migrations before
// saasplane's, so a saasplane migration may move rows into river_job.

// JobDriver returns the River driver over the pool that writes: SQLite's
// single writer connection (River's documented setting for SQLite), or the
// PostgreSQL pool.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if db.dialect == Postgres {
		return riverdatabasesql.New(db.write)
	}
	return riversqlite.New(db.write)
}

func (db *DB) jobMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(db.JobDriver(), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("job schema: %w", err)
	}
	return m, nil
}

// migrateJobs brings River's schema to the version this binary knows and
// returns how many of River's migrations it applied.
func (db *DB) migrateJobs(ctx context.Context) (int, error) {
	m, err := db.jobMigrator()
	if err != nil {
		return 0, err
	}
	// One version per transaction: a PostgreSQL enum value that one of
	// River's migrations adds cannot be used in the transaction adding it.
	applied := 0
	for {
		n := 0
		err = db.retry(ctx, db.write, nil, func(tx *Tx) error {
			if db.dialect == Postgres { // the same lock as saasplane's migrations
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7263451)`); err != nil {
					return err
				}
			}
			res, err := m.MigrateTx(ctx, tx.tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err != nil {
				return fmt.Errorf("job schema: %w", err)
			}
			n = len(res.Versions)
			return nil
		})
		if err != nil || n == 0 {
			return applied, err
		}
		applied += n
	}
}

// pendingJobs returns how many of River's migrations are not applied yet.
// It reads through the read pool, so /readyz never queues behind writes.
func (db *DB) pendingJobs(ctx context.Context) (int, error) {
	m, err := db.jobMigrator()
	if err != nil {
		return 0, err
	}
	var have []rivermigrate.Migration
	err = db.retry(ctx, db.read, &sql.TxOptions{ReadOnly: true}, func(tx *Tx) error {
		have, err = m.ExistingVersionsTx(ctx, tx.tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("job schema: %w", err)
	}
	return max(len(m.AllVersions())-len(have), 0), nil
}

// JobReadPool returns a pool for reading the job tables, such as the
// queue metrics: on SQLite the readers, so a scrape never waits for the
// writer.
func (db *DB) JobReadPool() *sql.DB { return db.read }
