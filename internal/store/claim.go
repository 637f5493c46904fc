package store

import (
	"context"
	"database/sql"
)

// What the outboxes and claimers of the store share.

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// scanRows reads every row of a query with scan; err is the query's own.
func scanRows[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryRows runs query and reads every row with scan.
func queryRows[T any](ctx context.Context, t *Tx, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	return scanRows(rows, err, scan)
}

// skipLocked appends, on PostgreSQL, the row lock of a claim: concurrent
// claimers pass over each other's rows instead of waiting for them (of is
// "" or "OF alias" when the query joins). A row leased by a transaction
// that committed meanwhile is a serialization failure, and the transaction
// is retried. SQLite has a single writer and needs nothing.
func (t *Tx) skipLocked(query, of string) string {
	if t.db.dialect != Postgres {
		return query
	}
	if of != "" {
		return query + " FOR UPDATE " + of + " SKIP LOCKED"
	}
	return query + " FOR UPDATE SKIP LOCKED"
}
