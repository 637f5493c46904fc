package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/errs"
)

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
	// parameters (PostgreSQL allows 65535).
	maxInsertRows = 32766 / apiLogColumnCount
)

// InsertBatch writes entries with one multi-row INSERT per maxInsertRows
// entries, all in one transaction. The recorder is the only writer of the
// table and never reads it, so the transaction runs at the database's
// default isolation rather than SERIALIZABLE: there is nothing to check.
func (s apilogStore) InsertBatch(ctx context.Context, entries []apilog.Entry) error {
	if len(entries) == 0 {
		return nil
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

// insertStatement builds the INSERT for entries in the dialect's own
// placeholders. It bypasses the rebinding cache of DB.q on purpose: a text
// per batch size would fill it with large, rarely reused strings.
func (s apilogStore) insertStatement(entries []apilog.Entry) (string, []any) {
	var b strings.Builder
	b.Grow(80 + len(entries)*apiLogColumnCount*6)
	b.WriteString(`INSERT INTO api_logs (` + apiLogColumns + `) VALUES `)
	args := make([]any, 0, len(entries)*apiLogColumnCount)
	n := 0
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < apiLogColumnCount; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			if s.db.dialect == Postgres {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			} else {
				b.WriteByte('?')
			}
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
