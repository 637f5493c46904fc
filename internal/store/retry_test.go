package store

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/saasplane/saasplane/internal/errs"
)

// A transaction that keeps losing serialization races is retried
// maxAttempts times, then reported as unavailable (the client may retry),
// not as an internal error; other errors are not retried.
func TestRetryGivesUpAsUnavailable(t *testing.T) {
	db, err := OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tests := []struct {
		name     string
		err      error
		attempts int
		kind     errs.Kind
	}{
		{"serialization failures", &pgconn.PgError{Code: "40001"}, maxAttempts, errs.KindUnavailable},
		{"deadlocks", &pgconn.PgError{Code: "40P01"}, maxAttempts, errs.KindUnavailable},
		{"another error", errs.Invalid("bad"), 1, errs.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := db.Write(context.Background(), func(*Tx) error { n++; return tt.err })
			if n != tt.attempts || errs.KindOf(err) != tt.kind {
				t.Fatalf("%d attempts, error %v (kind %v); want %d attempts and kind %v", n, err, errs.KindOf(err), tt.attempts, tt.kind)
			}
		})
	}
}
