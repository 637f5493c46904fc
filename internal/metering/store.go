package metering

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/pricing"
)

// Key names one counter: a meter of a tenant of a SaaS.
type Key struct {
	SaaSID   string
	TenantID string
	MeterID  string
}

// Entry is the count recorded at one second.
type Entry struct {
	Timestamp int64
	Count     int64
}

// Day is the roll-up of one counter over one calendar day (in the SaaS's
// time zone): the sum and the largest of its entries, and how many there
// are. It is kept exact by every change, so reads never scan entries.
type Day struct {
	Date    Date
	Sum     int64
	Max     int64
	Entries int64
}

// EntryRef names an entry and the day it falls on in the SaaS's zone.
type EntryRef struct {
	Key Key
	TS  int64
	Day Date
}

// EntryRead is what ReadEntries found for one EntryRef.
type EntryRead struct {
	Count int64
	OK    bool // the entry exists
	Day   Day
}

// KeyedEntry and KeyedDay are rows of some counter.
type (
	KeyedEntry struct {
		Key Key
		Entry
	}
	KeyedDay struct {
		Key Key
		Day
	}
)

// Generation is what the committer checks once per batch before it trusts
// what it remembers of a SaaS: its time zone, the version of its catalog
// (meters) and the count of its tenant deletions.
type Generation struct {
	TimeZone string
	Catalog  int64
	Tenants  int64
}

// Idempotent is the stored outcome of an update sent with an
// Idempotency-Key.
type Idempotent struct {
	RequestHash string
	Result      Result
	Expires     time.Time
}

// Store gives the service transactions over counts.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes counts. Every method is scoped to one SaaS.
type Tx interface {
	// MeterByName and Meters come from the pricing catalog.
	MeterByName(ctx context.Context, saasID, name string) (pricing.Meter, error)
	Meters(ctx context.Context, saasID string, ids ...string) ([]pricing.Meter, error)

	// TenantActive reports whether the tenant exists and is not deleted.
	TenantActive(ctx context.Context, saasID, tenantID string) (bool, error)
	// TimeZone returns the SaaS's time-zone name ("" for UTC).
	TimeZone(ctx context.Context, saasID string) (string, error)
	// Generation returns the SaaS's time zone with the versions that
	// every catalog write and every tenant deletion increment.
	Generation(ctx context.Context, saasID string) (Generation, error)

	// ReadEntries returns, for each ref in order, the entry's count and the
	// roll-up of its day (zero when the day has no entry).
	ReadEntries(ctx context.Context, refs []EntryRef) ([]EntryRead, error)
	// PutEntries and PutDays insert or replace many rows at once; each key
	// appears at most once.
	PutEntries(ctx context.Context, es []KeyedEntry) error
	PutDays(ctx context.Context, ds []KeyedDay) error
	DeleteEntry(ctx context.Context, k Key, ts int64) error
	// Entries returns the entries with from <= ts <= to, oldest first, at
	// most limit of them.
	Entries(ctx context.Context, k Key, from, to int64, limit int) ([]Entry, error)
	// MaxEntry returns the largest count with from <= ts < to.
	MaxEntry(ctx context.Context, k Key, from, to int64) (int64, error)

	DeleteDay(ctx context.Context, k Key, d Date) error
	// Days returns the roll-ups of every meter of a tenant (only the
	// meter ids given, when any) for from <= date <= to, by meter id.
	Days(ctx context.Context, saasID, tenantID string, from, to Date, meterIDs ...string) (map[string][]Day, error)

	// SetTimeZone records the SaaS's time zone; ScanEntries calls fn for
	// every entry of the SaaS; DeleteDays removes all its roll-ups. Together
	// they rebuild the roll-ups when the zone changes.
	SetTimeZone(ctx context.Context, saasID, name string) error
	ScanEntries(ctx context.Context, saasID string, fn func(Key, Entry) error) error
	DeleteDays(ctx context.Context, saasID string) error
	// PurgeIdempotent deletes up to limit keys that expired before now.
	PurgeIdempotent(ctx context.Context, now time.Time, limit int) (int64, error)

	Idempotent(ctx context.Context, saasID, key string, now time.Time) (Idempotent, bool, error)
	PutIdempotent(ctx context.Context, saasID, key string, rec Idempotent) error

	// OpenEvents opens, in this transaction, the outbound events of the
	// requests whose updates it applies (internal/events), for the SaaSes
	// that have a delivery target; it returns the ones it opened, to be
	// marked once the transaction commits.
	OpenEvents(ctx context.Context, ps []*events.Pending) ([]*events.Pending, error)
}
