// Package store is saasplane's one SQL layer. The same queries run on the
// embedded default, SQLite (modernc.org/sqlite, pure Go, WAL mode, a single
// writer connection beside a pool of readers), and on PostgreSQL (pgx).
// Queries are written with '?' placeholders and rebound per dialect.
//
// The package only moves data: business rules live in the domain packages,
// which see storage through their own small Store interfaces. Constraint
// violations come back as errs.ErrDuplicate, missing rows as errs.ErrNotExist.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/metering"
)

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. For SQLite, writes go through one connection (the
// database allows one writer at a time; queueing in Go is cheaper than
// SQLITE_BUSY retries) while reads use a separate pool. For PostgreSQL both
// are the same pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// The API log's pools. On SQLite they are a separate database file
	// with its own writer, so log batches never queue with the writes that
	// matter (usage counts) and can use a lighter sync; on PostgreSQL they
	// are the main pools.
	logWrite *sql.DB
	logRead  *sql.DB
	where    string // a log-safe description of the location

	rebound  sync.Map // query text -> dialect-specific text
	stmts    stmtCache
	inserter inserter // of the jobs that domain transactions enqueue
}

// SQLiteFile is the database file name inside the data directory;
// SQLiteLogFile holds the API log.
const (
	SQLiteFile    = "saasplane.db"
	SQLiteLogFile = "apilog.db"
)

// OpenSQLite opens (creating if needed) the database in dir.
func OpenSQLite(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	// synchronous(FULL): a committed transaction is on disk before COMMIT
	// returns, so an acknowledged write survives a crash or power loss.
	w, r, err := openSQLiteFile(path, "FULL")
	if err != nil {
		return nil, err
	}
	// The API log may lose its last moments in a power cut (never in a
	// process crash, WAL keeps them): synchronous(NORMAL) is enough there.
	lw, lr, err := openSQLiteFile(filepath.Join(dir, SQLiteLogFile), "NORMAL")
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{dialect: SQLite, write: w, read: r, logWrite: lw, logRead: lr, where: path}, nil
}

// openSQLiteFile opens one database file: a single-connection writer (the
// database allows one writer at a time) and a pool of readers.
func openSQLiteFile(path, sync string) (w, r *sql.DB, err error) {
	// The main database holds API secret keys: create files readable by
	// their owner only. SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", path, err)
	}
	f.Close()
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")"
	w, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return w, r, nil
}

// OpenPostgres connects to the PostgreSQL database at url.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	// The API log's writes commit without waiting for their WAL flush
	// (synchronous_commit off on the connections of their own pool): like
	// SQLite's apilog.db at synchronous(NORMAL), a crash of the database
	// server may lose the log's last moments, never a committed metering
	// update, which still waits for its flush, and never consistency. The
	// recorder's commits then stop competing with the metering
	// committer's for the WAL flush.
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.RuntimeParams["synchronous_commit"] = "off"
	lw := stdlib.OpenDB(*cfg)
	lw.SetMaxOpenConns(2)
	lw.SetMaxIdleConns(2)
	lw.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{dialect: Postgres, write: p, read: p, logWrite: lw, logRead: p, where: redactURL(url)}
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		lw.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", db.where, err)
	}
	return db, nil
}

// redactURL hides the password of a connection URL.
func redactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	cred := u[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return u[:scheme+3] + user + ":xxxxx" + u[at:]
	}
	return u
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// String describes the database for logs, without secrets.
func (db *DB) String() string { return string(db.dialect) + " " + db.where }

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.close()
	err := db.write.Close()
	for _, pool := range []*sql.DB{db.read, db.logWrite, db.logRead} {
		if pool != db.write {
			err = errors.Join(err, pool.Close())
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// q rewrites a query for the dialect: '?' placeholders become $1, $2... on
// PostgreSQL. Queries never contain '?' inside string literals.
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	db.rebound.Store(query, out)
	return out
}

// Tx is a transaction. Its methods implement the domain Store transaction
// interfaces.
type Tx struct {
	db   *DB
	tx   *sql.Tx // nil in a ReadStatement: the statement runs on pool
	pool *sql.DB // the pool the transaction runs on
	// pendingEntries are metering entries not written yet (PostgreSQL;
	// see PutEntries): every statement and the commit write them first.
	pendingEntries []metering.KeyedEntry
	flushErr       error // writing pendingEntries failed
}

// prepared returns the transaction's handle on a cached prepared statement
// for q, or nil (see stmtCache).
func (t *Tx) prepared(ctx context.Context, q string) *sql.Stmt {
	if t.db.dialect != SQLite || t.pool == nil {
		return nil
	}
	s := t.db.stmts.get(t.pool, q)
	if s == nil || t.tx == nil {
		return s
	}
	return t.tx.StmtContext(ctx, s)
}

// conn is what an unprepared statement runs on: the transaction, or the
// pool in a ReadStatement.
func (t *Tx) conn() interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
} {
	if t.tx == nil {
		return t.pool
	}
	return t.tx
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.flushEntries(ctx); err != nil {
		return nil, err
	}
	q := t.db.q(query)
	if s := t.prepared(ctx, q); s != nil {
		res, err := s.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := t.conn().ExecContext(ctx, q, args...)
	return res, mapErr(err)
}

func (t *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.flushEntries(ctx); err != nil {
		return nil, err
	}
	q := t.db.q(query)
	if s := t.prepared(ctx, q); s != nil {
		rows, err := s.QueryContext(ctx, args...)
		return rows, mapErr(err)
	}
	rows, err := t.conn().QueryContext(ctx, q, args...)
	return rows, mapErr(err)
}

func (t *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if err := t.flushEntries(ctx); err != nil && t.flushErr == nil {
		t.flushErr = err // the query then fails in the aborted transaction; try reports this
	}
	q := t.db.q(query)
	if s := t.prepared(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.conn().QueryRowContext(ctx, q, args...)
}

// maxAttempts bounds how often a write transaction is retried after a
// serialization failure on PostgreSQL; with the backoff below, the retries
// of one request wait about a second at most.
const maxAttempts = 16

// inTx runs fn in a transaction on pool, committing when fn returns nil.
//
// On PostgreSQL, write transactions run SERIALIZABLE: the services check
// then write (does the meter exist? is the unit still in a menu?), and
// serializable isolation makes every such check hold at commit. A
// transaction that loses a race is rolled back and fn runs again, so fn
// must not have effects outside the transaction. SQLite is serializable by
// construction: it has a single writer.
func (db *DB) inTx(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) error {
	var opts *sql.TxOptions
	switch {
	case db.dialect != Postgres:
	case readOnly:
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	default:
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	return db.retry(ctx, pool, opts, fn)
}

// retry runs fn in transactions with opts until it commits, fails for a
// reason other than a serialization failure, or maxAttempts is reached.
func (db *DB) retry(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.try(ctx, pool, opts, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			// Still losing to concurrent writers: the caller may retry
			// later, so this is "unavailable" (503), not an internal error.
			e := errs.E(errs.KindUnavailable, "the database is busy with conflicting changes: retry the request")
			e.Err = err
			return e
		}
		// Back off a little, with jitter, so racing writers spread out.
		d := min(time.Duration(attempt*attempt)*time.Millisecond*time.Duration(1+rand.IntN(4)), 100*time.Millisecond)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

func (db *DB) try(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	if db.dialect == SQLite {
		db.stmts.prepareWanted(ctx, pool)
	}
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	t := &Tx{db: db, tx: tx, pool: pool}
	err = fn(t)
	if err == nil {
		err = t.flushEntries(ctx)
	}
	if err == nil {
		err = t.flushErr
	}
	var opened *events.Pending
	if err == nil && pool == db.write && (opts == nil || !opts.ReadOnly) {
		// The request's first write opens its event, in the same
		// transaction: the transactional outbox (see package events).
		opened, err = t.openPendingEvent(ctx)
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	if opened != nil {
		opened.MarkOpened()
	}
	return nil
}

// retryable reports a PostgreSQL serialization failure or deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Write runs fn in a read-write transaction.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.inTx(ctx, db.write, false, fn)
}

// ReadStatement runs fn, which must run exactly one reading statement,
// outside a transaction: one statement sees a consistent snapshot by
// itself, on SQLite and PostgreSQL alike, so the BEGIN and COMMIT of a
// transaction would only add their cost. For the hottest reads
// (userinfo).
func (db *DB) ReadStatement(ctx context.Context, fn func(*Tx) error) error {
	if db.dialect == SQLite {
		db.stmts.prepareWanted(ctx, db.read)
	}
	return fn(&Tx{db: db, pool: db.read})
}

// Read runs fn in a read-only transaction (a consistent snapshot).
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.inTx(ctx, db.read, true, fn)
}

// errConcurrentReference is what a foreign-key violation means once the
// services have checked references: another transaction removed or added a
// referenced row at the same moment.
var errConcurrentReference = errs.Conflict("the change conflicts with a concurrent change to a referenced object; retry")

// mapErr turns constraint violations into domain errors. Serialization
// failures are kept as they are, so inTx can retry them.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", errs.ErrDuplicate, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %v", errConcurrentReference, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %v", errs.ErrDuplicate, err)
		case "23503":
			return fmt.Errorf("%w: %w", errConcurrentReference, err)
		}
	}
	return err
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// micros converts a time to the stored form: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts the stored form back to UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// stringArgs converts ids to query arguments.
func stringArgs(prefix []any, ids []string) []any {
	args := make([]any, 0, len(prefix)+len(ids))
	args = append(args, prefix...)
	for _, id := range ids {
		args = append(args, id)
	}
	return args
}

// WriteRaw runs one statement in its own write transaction; for tests and
// administrative commands that have no domain method.
func (db *DB) WriteRaw(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.exec(ctx, query, args...)
		return err
	})
	return res, err
}

// ReadRows runs one read query and calls fn with each row's Scan, for
// tests and benchmarks that read what no domain Store offers.
func (db *DB) ReadRows(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	return db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows.Scan); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Pools names the connection pools of the database, for their metrics:
// on SQLite the writer and the readers of the main file and of the API
// log's; on PostgreSQL the one pool that serves them all.
func (db *DB) Pools() map[string]*sql.DB {
	if db.dialect == Postgres {
		return map[string]*sql.DB{"main": db.write}
	}
	return map[string]*sql.DB{"write": db.write, "read": db.read, "apilog_write": db.logWrite, "apilog_read": db.logRead}
}
