package tenant

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// Service manages tenants. Every method takes the id of the SaaS the caller
// authenticated as.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// NewService builds a Service. now is the clock of every decision: tests
// move it instead of sleeping.
func NewService(store Store, now func() time.Time, newID func() string, log *slog.Logger) *Service {
	return &Service{store: store, now: now, newID: newID, log: log}
}

func notFound(id string) error { return errs.NotFound("tenant %q not found", id) }

// one loads a single tenant or answers not found.
func one(ctx context.Context, tx Tx, saasID, id string) (Tenant, error) {
	ts, err := tx.Tenants(ctx, saasID, id)
	if err != nil {
		return Tenant{}, err
	}
	if len(ts) == 0 {
		return Tenant{}, notFound(id)
	}
	return ts[0], nil
}

// Detail is a tenant with its current billing period.
type Detail struct {
	Tenant
	PeriodStart, PeriodEnd *time.Time
}

// List returns every tenant of the SaaS in creation order. Reservations
// that are due are applied first, so the answer is exact at this instant
// whatever the scheduler's lag.
func (s *Service) List(ctx context.Context, saasID string) ([]Tenant, error) {
	if err := s.applyDueOf(ctx, saasID); err != nil {
		return nil, err
	}
	var out []Tenant
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Tenants(ctx, saasID)
		return err
	})
	return out, err
}

// Get returns one tenant with its current billing period.
func (s *Service) Get(ctx context.Context, saasID, id string) (Detail, error) {
	if err := s.applyDueOf(ctx, saasID, id); err != nil {
		return Detail{}, err
	}
	var d Detail
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		t, err := one(ctx, tx, saasID, id)
		if err != nil {
			return err
		}
		d.Tenant = t
		anchor, ok := t.CurrentPlanApplied()
		if !ok {
			return nil
		}
		plans, err := pricing.LoadPlans(ctx, tx, saasID, t.PlanID)
		if err != nil {
			return err
		}
		every := Monthly
		if len(plans) == 1 && plans[0].Yearly() {
			every = Yearly
		}
		start, end := Period(anchor, every, s.now())
		d.PeriodStart, d.PeriodEnd = &start, &end
		return nil
	})
	return d, err
}

// Create adds a tenant.
func (s *Service) Create(ctx context.Context, saasID string, in TenantInput) (Tenant, error) {
	if err := in.Validate(); err != nil {
		return Tenant{}, err
	}
	var t Tenant
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		attrs, err := s.attributes(ctx, tx, saasID, in.Attributes)
		if err != nil {
			return err
		}
		t = Tenant{ID: s.newID(), Name: in.Name, BackOfficeStaffEmail: in.BackOfficeStaffEmail, Attributes: attrs, CreatedAt: s.now()}
		return tx.InsertTenant(ctx, saasID, t)
	})
	return t, err
}

func (s *Service) attributes(ctx context.Context, tx Tx, saasID string, in map[string]any) (map[string]any, error) {
	if len(in) == 0 {
		return map[string]any{}, nil
	}
	decl, err := tx.Attributes(ctx, saasID)
	if err != nil {
		return nil, err
	}
	return checkAttributes(decl, in)
}

// Update replaces a tenant's name, email and attributes.
func (s *Service) Update(ctx context.Context, saasID, id string, in TenantInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		t, err := one(ctx, tx, saasID, id)
		if err != nil {
			return err
		}
		attrs, err := s.attributes(ctx, tx, saasID, in.Attributes)
		if err != nil {
			return err
		}
		t.Name, t.BackOfficeStaffEmail, t.Attributes = in.Name, in.BackOfficeStaffEmail, attrs
		return tx.UpdateTenant(ctx, saasID, t)
	})
}

// UpdateBillingInfo replaces a tenant's billing information.
func (s *Service) UpdateBillingInfo(ctx context.Context, saasID, id string, b BillingInfo) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		t, err := one(ctx, tx, saasID, id)
		if err != nil {
			return err
		}
		t.BillingInfo = &b
		return tx.UpdateTenant(ctx, saasID, t)
	})
}

// Delete removes a tenant from the API. Its plan history and usage data
// stay stored for billing and audit; its pending reservation is dropped.
// Deleting a deleted tenant again succeeds; an id the SaaS never had is
// not found.
func (s *Service) Delete(ctx context.Context, saasID, id string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		_, err := one(ctx, tx, saasID, id)
		if errs.KindOf(err) == errs.KindNotFound {
			// Deleting again succeeds, so that a retry whose first answer
			// was lost is not an error; an id the SaaS never had is one.
			if gone, derr := tx.TenantDeleted(ctx, saasID, id); derr != nil || gone {
				return derr
			}
		}
		if err != nil {
			return err
		}
		return tx.DeleteTenant(ctx, saasID, id, s.now())
	})
}

// ChangePlan applies PUT /tenants/{id}/plans: an immediate change, a
// reservation (a new plan or the end of the plan at a given second), or
// the cancellation of a pending reservation.
func (s *Service) ChangePlan(ctx context.Context, saasID, id string, c PlanChange) error {
	if err := c.validate(s.now()); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		// The time of the change is read inside the transaction: a writer
		// that waited for the lock, or is retried after a serialization
		// failure, must not record a time earlier than the change that
		// committed before it, or the history would go back in time.
		now := s.now()
		t, err := one(ctx, tx, saasID, id)
		if err != nil {
			return err
		}
		// Settle a reservation that is already due before looking at the
		// new request, so the history stays in time order.
		if t, err = s.applyDue(ctx, tx, saasID, t, now); err != nil {
			return err
		}
		action := c.action()
		if action == actionReserve && *c.NextPlanID == "" && t.PlanID == "" {
			var fe errs.FieldErrors
			fe.Add("next_plan_id", "the tenant has no plan to end")
			return fe.Err()
		}
		if action == actionCancel {
			t.Reservation = nil
			return tx.UpdateTenant(ctx, saasID, t)
		}
		planID, taxRateID := *c.NextPlanID, deref(c.TaxRateID)
		if err := checkRefs(ctx, tx, saasID, planID, taxRateID); err != nil {
			return err
		}
		if planID != "" {
			if err := pricing.MarkUsed(ctx, tx, saasID, []string{planID}); err != nil {
				return err
			}
		}
		if action == actionReserve {
			t.Reservation = &Reservation{PlanID: planID, At: time.Unix(*c.From, 0).UTC(), TaxRateID: taxRateID, Proration: c.Proration, DeleteUsage: c.DeleteUsage}
			return tx.UpdateTenant(ctx, saasID, t)
		}
		t.Reservation = nil // an immediate change supersedes a pending one
		return s.apply(ctx, tx, saasID, t, PlanHistory{PlanID: planID, AppliedAt: now, TaxRateID: taxRateID, Proration: c.Proration, DeleteUsage: c.DeleteUsage})
	})
}

// EndPlan ends the tenant's plan at once: it has no plan afterwards, the
// history records the end, and a pending reservation is dropped. A tenant
// without a plan is left as it is.
func (s *Service) EndPlan(ctx context.Context, saasID, id string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		now := s.now()
		t, err := one(ctx, tx, saasID, id)
		if err != nil {
			return err
		}
		if t, err = s.applyDue(ctx, tx, saasID, t, now); err != nil {
			return err
		}
		if t.PlanID == "" {
			return nil
		}
		t.Reservation = nil
		return s.apply(ctx, tx, saasID, t, PlanHistory{AppliedAt: now})
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkRefs verifies that the plan and tax rate exist in the SaaS's catalog.
func checkRefs(ctx context.Context, tx Tx, saasID, planID, taxRateID string) error {
	var fe errs.FieldErrors
	if planID != "" {
		ps, err := tx.Plans(ctx, saasID, planID)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			fe.Add("next_plan_id", "no pricing plan with id %q", planID)
		}
	}
	if taxRateID != "" {
		rs, err := tx.TaxRates(ctx, saasID, taxRateID)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			fe.Add("next_plan_tax_rate_id", "no tax rate with id %q", taxRateID)
		}
	}
	return fe.Err()
}

// apply makes h the tenant's current state and appends it to the history,
// no earlier than the entry before it (Tenant.recorded).
func (s *Service) apply(ctx context.Context, tx Tx, saasID string, t Tenant, h PlanHistory) error {
	h = t.recorded(h)
	t.PlanID = h.PlanID
	if err := tx.UpdateTenant(ctx, saasID, t); err != nil {
		return err
	}
	return tx.AppendHistory(ctx, saasID, t.ID, h)
}

// applyDue applies t's reservation if its time has come, returning the
// tenant as it now stands.
func (s *Service) applyDue(ctx context.Context, tx Tx, saasID string, t Tenant, now time.Time) (Tenant, error) {
	h, ok := t.DueEntry(now)
	if !ok {
		return t, nil
	}
	t.Reservation = nil
	if err := s.apply(ctx, tx, saasID, t, h); err != nil {
		return t, err
	}
	t.PlanID = h.PlanID
	t.History = append(t.History, h)
	s.log.Info("plan reservation applied", "saas_id", saasID, "tenant_id", t.ID, "plan_id", h.PlanID, "applied_at", h.AppliedAt)
	return t, nil
}

// applyDueOf applies the due reservations of the given tenants (all of the
// SaaS's when no id is given). It writes only when something is due.
func (s *Service) applyDueOf(ctx context.Context, saasID string, ids ...string) error {
	now := s.now()
	var due []string
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		ts, err := tx.Tenants(ctx, saasID, ids...)
		for _, t := range ts {
			if t.Reservation != nil && !t.Reservation.At.After(now) {
				due = append(due, t.ID)
			}
		}
		return err
	})
	if err != nil || len(due) == 0 {
		return err
	}
	for _, id := range due {
		if err := s.applyOne(ctx, Ref{SaaSID: saasID, ID: id}, now); err != nil {
			return err
		}
	}
	return nil
}

// applyOne applies one tenant's reservation if it is still due. It is safe
// to run concurrently from several processes: the read and the write share
// one serializable transaction, so exactly one of them applies it.
func (s *Service) applyOne(ctx context.Context, ref Ref, now time.Time) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		t, err := one(ctx, tx, ref.SaaSID, ref.ID)
		if errs.KindOf(err) == errs.KindNotFound {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		_, err = s.applyDue(ctx, tx, ref.SaaSID, t, now)
		return err
	})
}

// SchedulerLag is how late the oldest due reservation is, of any SaaS:
// 0 when every due one has been applied. A healthy scheduler keeps it
// below its interval.
func (s *Service) SchedulerLag(ctx context.Context) (time.Duration, error) {
	now := s.now()
	var at time.Time
	var ok bool
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) { at, ok, err = tx.OldestDue(ctx, now); return err })
	if err != nil || !ok {
		return 0, err
	}
	return max(now.Sub(at), 0), nil
}

// ApplyDue applies every reservation, of every SaaS, that is due at the
// service's clock, in batches. It returns how many tenants it visited.
func (s *Service) ApplyDue(ctx context.Context) (int, error) {
	now := s.now()
	total := 0
	for {
		var refs []Ref
		err := s.store.ReadTx(ctx, func(tx Tx) error {
			var err error
			refs, err = tx.DueReservations(ctx, now, 100)
			return err
		})
		if err != nil {
			return total, err
		}
		for _, ref := range refs {
			if err := s.applyOne(ctx, ref, now); err != nil {
				return total, err
			}
		}
		total += len(refs)
		if len(refs) < 100 {
			return total, nil
		}
	}
}

// ---- attributes ----

// ListAttributes returns the SaaS's declared tenant attributes.
func (s *Service) ListAttributes(ctx context.Context, saasID string) (as []Attribute, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		as, err = tx.Attributes(ctx, saasID)
		return err
	})
	return as, err
}

// CreateAttribute declares a tenant attribute; names are unique.
func (s *Service) CreateAttribute(ctx context.Context, saasID string, a Attribute) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return errs.DuplicateName(tx.InsertAttribute(ctx, saasID, a), "attribute_name", "tenant attribute", a.Name)
	})
}

// DeleteAttribute removes a declaration and its value from every tenant.
func (s *Service) DeleteAttribute(ctx context.Context, saasID, name string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		err := tx.DeleteAttribute(ctx, saasID, name)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("tenant attribute %q not found", name)
		}
		return err
	})
}

// ResetPlans is ResetPlan: it wipes the SaaS's pricing catalog and every
// tenant's plan, reservation and plan history, in one transaction.
func (s *Service) ResetPlans(ctx context.Context, saasID string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error { return pricing.ResetCatalog(ctx, tx, saasID) })
}
