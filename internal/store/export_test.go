package store

import (
	"context"

	"github.com/saasplane/saasplane/internal/apilog"
)

// MigrateTo applies River's schema and the main schema's migrations up to
// version upTo, for tests of an upgrade from an older schema.
func (db *DB) MigrateTo(ctx context.Context, upTo int) error {
	if _, err := db.migrateJobs(ctx); err != nil {
		return err
	}
	_, err := db.migrate(ctx, db.schemas()[0], upTo)
	return err
}

// ExecForTest runs one statement ('?' placeholders) in a write
// transaction, for tests that write rows as an older version did.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	return db.retry(ctx, db.write, nil, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, args...)
		return err
	})
}

// SynchronousCommitForTest reads synchronous_commit, and where its value
// comes from, on a connection of the main pool and of the API log's writer
// (PostgreSQL): "off client" where saasplane sets it.
func (db *DB) SynchronousCommitForTest(ctx context.Context) (main, log string, err error) {
	const q = `SELECT setting || ' ' || source FROM pg_settings WHERE name = 'synchronous_commit'`
	if err = db.write.QueryRowContext(ctx, q).Scan(&main); err == nil {
		err = db.logWrite.QueryRowContext(ctx, q).Scan(&log)
	}
	return main, log, err
}

// InsertAPILogsForTest writes entries with PostgreSQL's INSERT ... ON
// CONFLICT DO NOTHING, the statement COPY falls back to, so that the two
// can be compared.
func (db *DB) InsertAPILogsForTest(ctx context.Context, entries []apilog.Entry) error {
	return apilogStore{db}.insertBatch(ctx, entries)
}
