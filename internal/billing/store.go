package billing

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Store gives the service transactions. A billing transaction reads the
// catalog (plans as they are nested), tenants with their plan history, and
// usage, and writes invoices.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Account is a tenant as billing sees it: deleted tenants too, since their
// last period is still billed. DeletedAt is zero for a live tenant.
type Account struct {
	tenant.Tenant
	DeletedAt time.Time
}

// Tx reads what invoices are computed from and keeps the finalized ones.
// Every method is scoped to one SaaS. Missing rows are errs.ErrNotExist;
// an invoice for a tenant and period that already has one is
// errs.ErrDuplicate.
type Tx interface {
	pricing.Tx

	// TimeZone returns the SaaS's time-zone name ("" for UTC).
	TimeZone(ctx context.Context, saasID string) (string, error)
	// Accounts returns the tenants with the given ids (every tenant when
	// none are given), deleted ones included, in creation order, with
	// their plan history and pending reservation.
	Accounts(ctx context.Context, saasID string, ids ...string) ([]Account, error)

	// Days returns the daily roll-ups of a tenant's meters (only those
	// given, when any) for from ≤ date ≤ to, by meter id.
	Days(ctx context.Context, saasID, tenantID string, from, to metering.Date, meterIDs ...string) (map[string][]metering.Day, error)
	// SumEntries and MaxEntry fold the entries with from ≤ ts < to.
	SumEntries(ctx context.Context, k metering.Key, from, to int64) (int64, error)
	MaxEntry(ctx context.Context, k metering.Key, from, to int64) (int64, error)

	// Invoices returns finalized invoices, newest number first: of one
	// tenant when tenantID is not empty, of one period when period is not
	// empty, at most limit of them, numbered below before when before > 0.
	Invoices(ctx context.Context, saasID string, f InvoiceFilter) ([]Invoice, error)
	Invoice(ctx context.Context, saasID, id string) (Invoice, error)
	// InvoiceNumber returns the largest invoice number the SaaS has used
	// (0 when none).
	InvoiceNumber(ctx context.Context, saasID string) (int64, error)
	InsertInvoice(ctx context.Context, saasID string, inv Invoice) error
	// InvoicedTenants returns the tenants that have a finalized invoice.
	InvoicedTenants(ctx context.Context, saasID string) (map[string]bool, error)

	// InsertRun stores a new run; a second scheduled run of one period is
	// errs.ErrDuplicate. UpdateRun writes its status and counters.
	InsertRun(ctx context.Context, saasID string, r Run) error
	UpdateRun(ctx context.Context, saasID string, r Run) error
	Run(ctx context.Context, saasID, id string) (Run, error)
	// Runs returns runs newest first, of one period when period is not
	// empty.
	Runs(ctx context.Context, saasID, period string, limit int) ([]Run, error)
	// ActiveRun returns the period's queued or running run, if any.
	ActiveRun(ctx context.Context, saasID, period string) (Run, bool, error)
	// LastScheduledRun returns the latest period, monthly or yearly, that
	// has a scheduled run.
	LastScheduledRun(ctx context.Context, saasID string, yearly bool) (string, bool, error)
	// SaaSIDs lists every SaaS.
	SaaSIDs(ctx context.Context) ([]string, error)
	// EnqueueJob enqueues a background job in this transaction: it exists
	// if and only if the transaction commits.
	EnqueueJob(ctx context.Context, job Job) error
}

// InvoiceFilter selects finalized invoices.
type InvoiceFilter struct {
	TenantID string
	Period   string
	Before   int64 // only numbers below this, when > 0
	Limit    int   // 0: no limit
}
