// Package apilog is saasplane's record of API calls: every authenticated
// /v1 request becomes one Entry. It owns the Entry type and the Store it is
// kept in; the Recorder, which writes entries in batches off the request
// path; the Purger, which deletes them once their retention has passed; the
// redaction and truncation applied to bodies before they are kept; and the
// Service that lists and reads them for GET /v1/apilog.
//
// The package knows nothing of HTTP or SQL: internal/api/apilogapi captures
// requests and serves the routes, internal/store keeps the rows.
package apilog

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Entry is one recorded API call.
type Entry struct {
	APILogID string // assigned by the Recorder
	TraceID  string
	SaaSID   string
	APIKey   string
	// CreatedAt is when the request arrived, kept to the microsecond.
	CreatedAt time.Time
	// TTL is when the entry is due for deletion: CreatedAt + retention.
	TTL           time.Time
	Method        string
	Status        int
	RequestURI    string // path and query as received
	RemoteAddress string // client IP, without port
	Referer       string
	RequestBody   string // redacted and cut; see Body
	ResponseBody  string
}

// CreatedDate is the UTC day of CreatedAt, YYYY-MM-DD.
func (e Entry) CreatedDate() string { return e.CreatedAt.UTC().Format(time.DateOnly) }

// Expired reports whether the entry is past its TTL at now. An expired entry
// is invisible even before the Purger deletes it.
func (e Entry) Expired(now time.Time) bool { return e.TTL.Before(now) }

// Filter selects one SaaS's entries with CreatedAt in [From, To). A zero
// bound is open. Entries whose TTL is before LiveAt are left out (zero
// LiveAt: none is).
type Filter struct {
	SaaSID   string
	From, To time.Time
	LiveAt   time.Time
}

// Cursor is a position in the listing order: (CreatedAt, APILogID), both
// descending. A page continues strictly after it.
type Cursor struct {
	CreatedAt time.Time
	APILogID  string
}

// Store keeps entries. Implementations must not retain the slices they are
// given. Times are kept to the microsecond.
type Store interface {
	// InsertBatch stores entries in one transaction. An entry whose
	// (SaaSID, APILogID) already exists is skipped, so a retried batch is
	// harmless.
	InsertBatch(ctx context.Context, entries []Entry) error
	// List returns at most limit entries matching f, newest first, ordered
	// by (CreatedAt, APILogID) descending, starting strictly after after
	// when it is not nil.
	List(ctx context.Context, f Filter, after *Cursor, limit int) ([]Entry, error)
	// Get returns one entry of the SaaS, or errs.ErrNotExist.
	Get(ctx context.Context, saasID, apiLogID string) (Entry, error)
	// Purge deletes at most max entries whose TTL is before before, in one
	// short statement, and returns how many it deleted.
	Purge(ctx context.Context, before time.Time, max int) (int64, error)
}

// Service reads the log for the API. Every method is scoped to the SaaS the
// caller authenticated as.
type Service struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// NewService builds a Service; now decides what "today" is and which
// entries have expired.
func NewService(store Store, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, now: now, log: log}
}

// Page is one page of a listing. Next is the cursor of the following page,
// "" when there is none.
type Page struct {
	Entries []Entry
	Next    string
}

// ListLogs returns one page of the SaaS's entries, newest first; see
// ListLogsInput for the parameters.
func (s *Service) ListLogs(ctx context.Context, saasID string, in ListLogsInput) (Page, error) {
	q, err := in.query(saasID, s.now())
	if err != nil {
		return Page{}, err
	}
	rows, err := s.store.List(ctx, q.filter, q.after, q.limit+1)
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: rows}
	if len(rows) > q.limit {
		p.Entries = rows[:q.limit]
		last := p.Entries[q.limit-1]
		p.Next = EncodeCursor(Cursor{CreatedAt: last.CreatedAt, APILogID: last.APILogID})
	}
	return p, nil
}

// GetLog returns one entry of the SaaS. Unknown ids, other SaaS's ids and
// expired entries are all not found.
func (s *Service) GetLog(ctx context.Context, saasID, apiLogID string) (Entry, error) {
	e, err := s.store.Get(ctx, saasID, apiLogID)
	if errors.Is(err, errs.ErrNotExist) || (err == nil && e.Expired(s.now())) {
		return Entry{}, errs.NotFound("api log %q not found", apiLogID)
	}
	return e, err
}
