package store

import (
	"context"
	"database/sql"
)

// Reading rows: the scanner both dialects' rows satisfy, and reading
// every row of a query.

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// scanWith is r with extra destinations after the caller's own.
func scanWith(r rowScanner, extra ...any) rowScanner { return extraScanner{r, extra} }

type extraScanner struct {
	r     rowScanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

// scanPrefix is r with destinations before the caller's own.
func scanPrefix(r rowScanner, first ...any) rowScanner { return prefixScanner{r, first} }

type prefixScanner struct {
	r     rowScanner
	first []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.r.Scan(append(p.first, dest...)...) }

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

// queryStrings runs a query of one text column and returns its values.
func queryStrings(ctx context.Context, t *Tx, query string, args ...any) ([]string, error) {
	return queryRows(ctx, t, func(r rowScanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, query, args...)
}
