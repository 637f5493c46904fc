package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/errs"
)

// apiLogColumnNames is apiLogColumns as a list, for COPY.
var apiLogColumnNames = strings.Split(strings.Join(strings.Fields(apiLogColumns), ""), ",")

// apilogStore adapts DB to apilog.Store.
type apilogStore struct{ db *DB }

// APILog returns the API log's view of the database.
func (db *DB) APILog() apilog.Store { return apilogStore{db} }

var _ apilog.Store = apilogStore{}

const (
	apiLogColumns = `api_log_id, saas_id, trace_id, api_key, created_at, ttl, request_method, response_status,
		request_uri, remote_address, referer, request_body, response_body`
	apiLogColumnCount = 13
	// maxInsertRows keeps one INSERT under SQLite's limit of 32766 bound
	// parameters.
	maxInsertRows = 32766 / apiLogColumnCount
)

// InsertBatch writes entries in one transaction: on SQLite with one
// multi-row INSERT per maxInsertRows entries, on PostgreSQL with COPY
// (copyBatch). The recorder is the only writer of the
// table and never reads it, so the transaction runs at the database's
// default isolation rather than SERIALIZABLE: there is nothing to check.
func (s apilogStore) InsertBatch(ctx context.Context, entries []apilog.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if s.db.dialect == Postgres {
		return s.copyBatch(ctx, entries)
	}
	return s.db.retry(ctx, s.db.logWrite, nil, func(tx *Tx) error {
		for start := 0; start < len(entries); start += maxInsertRows {
			chunk := entries[start:min(start+maxInsertRows, len(entries))]
			query, args := s.insertStatement(chunk)
			if _, err := tx.tx.ExecContext(ctx, query, args...); err != nil {
				return fmt.Errorf("insert %d api log entries: %w", len(chunk), mapErr(err))
			}
		}
		return nil
	})
}

// copyBatch writes entries on PostgreSQL with COPY, in one statement and
// so one transaction of its own. COPY stores rows several to a heap page
// and WAL record, without the per-row conflict check of INSERT ... ON
// CONFLICT, which had made the API log PostgreSQL's largest consumer of
// CPU under metering load: about 36 µs a row, more than the metering
// committer's statements together (BENCHMARKS.md). COPY cannot skip rows
// that exist, so a batch that meets one (a retry after a commit whose
// answer was lost) is written again with insertBatch, which does.
func (s apilogStore) copyBatch(ctx context.Context, entries []apilog.Entry) error {
	err := mapErr(s.copyOnce(ctx, entries))
	if errors.Is(err, errs.ErrDuplicate) {
		return s.insertBatch(ctx, entries)
	}
	if err != nil {
		return fmt.Errorf("copy %d api log entries: %w", len(entries), err)
	}
	return nil
}

func (s apilogStore) copyOnce(ctx context.Context, entries []apilog.Entry) error {
	conn, err := s.db.logWrite.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		row := make([]any, apiLogColumnCount) // encoded before the next row is asked for
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"api_logs"}, apiLogColumnNames,
			pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
				e := &entries[i]
				row[0], row[1], row[2], row[3] = e.APILogID, e.SaaSID, e.TraceID, e.APIKey
				row[4], row[5], row[6], row[7] = micros(e.CreatedAt), micros(e.TTL), e.Method, int32(e.Status)
				row[8], row[9], row[10], row[11], row[12] = e.RequestURI, e.RemoteAddress, e.Referer, e.RequestBody, e.ResponseBody
				return row, nil
			}))
		return err
	})
}

// insertBatch writes entries on PostgreSQL with one INSERT of arrays
// (one parameter per column, whatever the batch size), skipping those
// that exist.
func (s apilogStore) insertBatch(ctx context.Context, entries []apilog.Entry) error {
	args := pgAPILogArrays(entries)
	return s.db.retry(ctx, s.db.logWrite, nil, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, pgInsertAPILogSQL, args[:]...); err != nil {
			return fmt.Errorf("insert %d api log entries: %w", len(entries), mapErr(err))
		}
		return nil
	})
}

// pgInsertAPILogSQL inserts a batch given as one array per column. A
// multi-row VALUES list of bound parameters cost PostgreSQL about 30 µs
// per row to parse, bind and plan; arrays cost one parameter per column.
const pgInsertAPILogSQL = `INSERT INTO api_logs (` + apiLogColumns + `)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::int[],
		$9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
	ON CONFLICT (saas_id, api_log_id) DO NOTHING`

// pgAPILogArrays is the columns of entries as arrays, in apiLogColumns'
// order.
func pgAPILogArrays(entries []apilog.Entry) [apiLogColumnCount]any {
	n := len(entries)
	ids, saas, traces, keys := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	created, ttls, statuses := make([]int64, n), make([]int64, n), make([]int32, n)
	methods, uris, remotes, referers := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	reqs, resps := make([]string, n), make([]string, n)
	for i, e := range entries {
		ids[i], saas[i], traces[i], keys[i] = e.APILogID, e.SaaSID, e.TraceID, e.APIKey
		created[i], ttls[i], methods[i], statuses[i] = micros(e.CreatedAt), micros(e.TTL), e.Method, int32(e.Status)
		uris[i], remotes[i], referers[i], reqs[i], resps[i] = e.RequestURI, e.RemoteAddress, e.Referer, e.RequestBody, e.ResponseBody
	}
	return [apiLogColumnCount]any{ids, saas, traces, keys, created, ttls, methods, statuses, uris, remotes, referers, reqs, resps}
}

// insertStatement builds SQLite's multi-row INSERT of entries. It bypasses the rebinding cache of DB.q on purpose: a text
// per batch size would fill it with large, rarely reused strings.
func (s apilogStore) insertStatement(entries []apilog.Entry) (string, []any) {
	var b strings.Builder
	b.Grow(80 + len(entries)*apiLogColumnCount*6)
	b.WriteString(`INSERT INTO api_logs (` + apiLogColumns + `) VALUES `)
	args := make([]any, 0, len(entries)*apiLogColumnCount)
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < apiLogColumnCount; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
		args = append(args, e.APILogID, e.SaaSID, e.TraceID, e.APIKey, micros(e.CreatedAt), micros(e.TTL), e.Method, e.Status,
			e.RequestURI, e.RemoteAddress, e.Referer, e.RequestBody, e.ResponseBody)
	}
	b.WriteString(` ON CONFLICT (saas_id, api_log_id) DO NOTHING`)
	return b.String(), args
}

func scanAPILog(row interface{ Scan(...any) error }) (apilog.Entry, error) {
	var e apilog.Entry
	var created, ttl int64
	err := row.Scan(&e.APILogID, &e.SaaSID, &e.TraceID, &e.APIKey, &created, &ttl, &e.Method, &e.Status,
		&e.RequestURI, &e.RemoteAddress, &e.Referer, &e.RequestBody, &e.ResponseBody)
	e.CreatedAt, e.TTL = fromMicros(created), fromMicros(ttl)
	return e, err
}

// List reads one page with a keyset condition on (created_at, api_log_id),
// which the index api_logs_listing serves in order. A single statement sees
// one snapshot: no transaction is needed.
func (s apilogStore) List(ctx context.Context, f apilog.Filter, after *apilog.Cursor, limit int) ([]apilog.Entry, error) {
	query := `SELECT ` + apiLogColumns + ` FROM api_logs WHERE saas_id = ?`
	args := []any{f.SaaSID}
	if !f.From.IsZero() {
		query += ` AND created_at >= ?`
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		query += ` AND created_at < ?`
		args = append(args, micros(f.To))
	}
	if !f.LiveAt.IsZero() {
		query += ` AND ttl >= ?`
		args = append(args, micros(f.LiveAt))
	}
	if after != nil {
		// The first condition bounds the index range; the second breaks
		// ties between entries of the same microsecond.
		at := micros(after.CreatedAt)
		query += ` AND created_at <= ? AND (created_at < ? OR api_log_id < ?)`
		args = append(args, at, at, after.APILogID)
	}
	query += ` ORDER BY created_at DESC, api_log_id DESC LIMIT ?`
	args = append(args, limit)

	rows, err := s.db.logRead.QueryContext(ctx, s.db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list api logs: %w", err)
	}
	defer rows.Close()
	var out []apilog.Entry
	for rows.Next() {
		e, err := scanAPILog(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Get reads one entry of the SaaS.
func (s apilogStore) Get(ctx context.Context, saasID, apiLogID string) (apilog.Entry, error) {
	row := s.db.logRead.QueryRowContext(ctx, s.db.q(`SELECT `+apiLogColumns+` FROM api_logs WHERE saas_id = ? AND api_log_id = ?`), saasID, apiLogID)
	e, err := scanAPILog(row)
	if errors.Is(err, sql.ErrNoRows) {
		return e, errs.ErrNotExist
	}
	return e, err
}

// Purge deletes at most max expired entries in one statement, chosen
// through the ttl index.
func (s apilogStore) Purge(ctx context.Context, before time.Time, max int) (n int64, err error) {
	err = s.db.retry(ctx, s.db.logWrite, nil, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM api_logs WHERE (saas_id, api_log_id) IN
			(SELECT saas_id, api_log_id FROM api_logs WHERE ttl < ? LIMIT ?)`, micros(before), max)
		if err != nil {
			return fmt.Errorf("purge api logs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
