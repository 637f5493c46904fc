package billing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/metering"
)

// Service previews, finalizes and lists invoices. Every method takes the id
// of the SaaS the caller authenticated as.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
	log   *slog.Logger
	chunk int // tenants per transaction of a run
}

// NewService builds a Service; now is the clock of every decision.
func NewService(store Store, now func() time.Time, newID func() string, log *slog.Logger) *Service {
	return &Service{store: store, now: now, newID: newID, log: log, chunk: RunChunk}
}

// WithRunChunk sets how many tenants one transaction of a run finalizes
// (RunChunk by default); tests make runs of several chunks with few
// tenants.
func (s *Service) WithRunChunk(n int) *Service {
	s.chunk = max(n, 1)
	return s
}

// location reads the SaaS's time zone.
func location(ctx context.Context, tx Tx, saasID string) (*time.Location, error) {
	name, err := tx.TimeZone(ctx, saasID)
	if err != nil {
		return nil, err
	}
	return metering.Location(name)
}

func account(ctx context.Context, tx Tx, saasID, tenantID string) (Account, error) {
	as, err := tx.Accounts(ctx, saasID, tenantID)
	if err != nil {
		return Account{}, err
	}
	if len(as) == 0 {
		return Account{}, errs.NotFound("tenant %q not found", tenantID)
	}
	return as[0], nil
}

// draft computes the invoice of one account for one period inside tx,
// given the account's finalized invoices.
func (s *Service) draft(ctx context.Context, cat *catalog, loc *time.Location, a Account, p Period, prior []Invoice, now time.Time) (Invoice, error) {
	in := Input{TenantID: a.ID, Period: p, Segments: Segments(a.HistoryAt(now), p.Start, p.End, a.DeletedAt), Prior: prior}
	if err := cat.fill(ctx, &in); err != nil {
		return Invoice{}, err
	}
	ws, err := Windows(in)
	if err != nil {
		return Invoice{}, err
	}
	if len(ws) > 0 {
		r, err := newUsageReader(ctx, cat.tx, loc, cat.saasID, a.ID, ws)
		if err != nil {
			return Invoice{}, err
		}
		if in.Usage, err = r.quantities(ctx, ws); err != nil {
			return Invoice{}, err
		}
	}
	return Build(in)
}

// ofPeriod returns the invoice of the period among invs.
func ofPeriod(invs []Invoice, period string) (Invoice, bool) {
	for _, inv := range invs {
		if inv.Period == period {
			return inv, true
		}
	}
	return Invoice{}, false
}

// Preview computes the invoice the tenant would get for the period now:
// for a period that has not ended, what it has run up so far. A finalized
// period's preview is its invoice.
func (s *Service) Preview(ctx context.Context, saasID, tenantID, period string) (Invoice, error) {
	var inv Invoice
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		loc, err := location(ctx, tx, saasID)
		if err != nil {
			return err
		}
		p, err := ParsePeriod(period, loc)
		if err != nil {
			return err
		}
		a, err := account(ctx, tx, saasID, tenantID)
		if err != nil {
			return err
		}
		prior, err := tx.Invoices(ctx, saasID, InvoiceFilter{TenantID: tenantID})
		if err != nil {
			return err
		}
		if done, ok := ofPeriod(prior, p.Key); ok {
			inv = done
			return nil
		}
		inv, err = s.draft(ctx, newCatalog(tx, saasID), loc, a, p, prior, s.now())
		return err
	})
	return inv, err
}

// Finalize computes the tenant's invoice for a period that has ended,
// numbers it and stores it for good. Finalizing a period again returns the
// invoice it already has (created false). A period with nothing to bill
// (no plan, no adjustment) has no invoice: 409 nothing_to_invoice.
func (s *Service) Finalize(ctx context.Context, saasID, tenantID, period string) (inv Invoice, created bool, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		loc, err := location(ctx, tx, saasID)
		if err != nil {
			return err
		}
		p, err := ParsePeriod(period, loc)
		if err != nil {
			return err
		}
		a, err := account(ctx, tx, saasID, tenantID)
		if err != nil {
			return err
		}
		inv, created, err = s.finalize(ctx, newCatalog(tx, saasID), loc, a, p, "")
		return err
	})
	if errors.Is(err, errs.ErrDuplicate) { // another node finalized it first
		inv, err = s.Preview(ctx, saasID, tenantID, period)
		created = false
	}
	return inv, created, err
}

func (s *Service) finalize(ctx context.Context, cat *catalog, loc *time.Location, a Account, p Period, runID string) (Invoice, bool, error) {
	tx, saasID := cat.tx, cat.saasID
	prior, err := tx.Invoices(ctx, saasID, InvoiceFilter{TenantID: a.ID})
	if err != nil {
		return Invoice{}, false, err
	}
	if done, ok := ofPeriod(prior, p.Key); ok {
		return done, false, nil
	}
	now := s.now()
	if now.Before(p.End) {
		return Invoice{}, false, errs.Conflict("period %s ends at %s: an invoice is finalized once its period has ended (preview it until then)",
			p.Key, p.End.Format(time.RFC3339)).WithType("period_not_ended")
	}
	inv, err := s.draft(ctx, cat, loc, a, p, prior, now)
	if err != nil {
		return Invoice{}, false, err
	}
	if len(inv.Lines) == 0 {
		return Invoice{}, false, errs.Conflict("tenant %q has nothing to invoice for %s: it had no plan in that period and no usage to adjust", a.ID, p.Key).WithType("nothing_to_invoice")
	}
	n, err := tx.InvoiceNumber(ctx, saasID)
	if err != nil {
		return Invoice{}, false, err
	}
	inv.ID, inv.Number, inv.FinalizedAt, inv.RunID = s.newID(), n+1, now.Unix(), runID
	if err := tx.InsertInvoice(ctx, saasID, inv); err != nil {
		return Invoice{}, false, err
	}
	return inv, true, nil
}

// MaxList bounds a page of invoices.
const MaxList = 1000

// List returns finalized invoices, newest first, filtered by f.
func (s *Service) List(ctx context.Context, saasID string, f InvoiceFilter) ([]Invoice, error) {
	if f.Limit <= 0 || f.Limit > MaxList {
		return nil, errs.Invalid("limit: must be from 1 to %d", MaxList)
	}
	var out []Invoice
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		if f.TenantID != "" {
			if _, err := account(ctx, tx, saasID, f.TenantID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.Invoices(ctx, saasID, f)
		return err
	})
	return out, err
}

// Get returns one finalized invoice.
func (s *Service) Get(ctx context.Context, saasID, id string) (Invoice, error) {
	var inv Invoice
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		inv, err = tx.Invoice(ctx, saasID, id)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("invoice %q not found", id)
		}
		return err
	})
	return inv, err
}
