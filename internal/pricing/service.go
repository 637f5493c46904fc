package pricing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/saasplane/saasplane/internal/errs"
)

// Service is the pricing catalog of every SaaS. Each method takes the id of
// the SaaS that the caller authenticated as; nothing crosses SaaS boundaries.
type Service struct {
	store Store
	newID func() string
	log   *slog.Logger
	plans planCache
}

// NewService builds a Service. newID returns a fresh unique id per call.
func NewService(store Store, newID func() string, log *slog.Logger) *Service {
	return &Service{store: store, newID: newID, log: log}
}

// write runs fn in a write transaction and, when it succeeds, bumps the
// SaaS's catalog version in the same transaction, so every cache of the
// catalog (in this process or another) sees the change.
func (s *Service) write(ctx context.Context, saasID string, fn func(Tx) error) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.BumpCatalogVersion(ctx, saasID)
	})
}

func notFound(what, id string) error {
	return errs.NotFound("%s %q not found", what, id)
}

// exists turns the result of a lookup by one id into a not-found error when
// it found no row.
func exists[T any](rows []T, err error, what, id string) error {
	if err == nil && len(rows) == 0 {
		return notFound(what, id)
	}
	return err
}

// usedConflict is the error for a change that a used object forbids.
func usedConflict(format string, args ...any) error {
	return errs.Conflict(format, args...).WithType("used_object")
}

// ---- meters ----

// ListMeters returns every meter of the SaaS in creation order.
func (s *Service) ListMeters(ctx context.Context, saasID string) (ms []Meter, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ms, err = tx.Meters(ctx, saasID)
		return err
	})
	return ms, err
}

// CreateMeter adds a meter. Its name must be unique in the SaaS.
func (s *Service) CreateMeter(ctx context.Context, saasID string, in MeterInput) (Meter, error) {
	if err := in.Validate(); err != nil {
		return Meter{}, err
	}
	m := Meter{ID: s.newID(), Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, AggregateUsage: in.AggregateUsage}
	err := s.write(ctx, saasID, func(tx Tx) error {
		return errs.DuplicateName(tx.InsertMeter(ctx, saasID, m), "unit_name", "meter", m.Name)
	})
	return m, err
}

// UpdateMeter replaces a meter's fields. A meter that is used or referenced
// by a pricing unit keeps its unit_name and aggregate_usage.
func (s *Service) UpdateMeter(ctx context.Context, saasID, id string, in MeterInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.write(ctx, saasID, func(tx Tx) error {
		ms, err := tx.Meters(ctx, saasID, id)
		if err := exists(ms, err, "metering unit", id); err != nil {
			return err
		}
		old := ms[0]
		if old.Name != in.Name || old.AggregateUsage != in.AggregateUsage {
			if old.Used {
				return usedConflict("metering unit %q is used: only display_name and description can change", id)
			}
			ref, err := tx.MeterReferenced(ctx, saasID, id)
			if err != nil {
				return err
			}
			if ref {
				return errs.Conflict("metering unit %q is referenced by a pricing unit or has recorded usage: only display_name and description can change", id)
			}
		}
		m := Meter{ID: id, Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, AggregateUsage: in.AggregateUsage, Used: old.Used}
		return errs.DuplicateName(tx.UpdateMeter(ctx, saasID, m), "unit_name", "meter", m.Name)
	})
}

// DeleteMeter removes a meter that is neither used nor referenced.
func (s *Service) DeleteMeter(ctx context.Context, saasID, id string) error {
	return s.write(ctx, saasID, func(tx Tx) error {
		ms, err := tx.Meters(ctx, saasID, id)
		if err := exists(ms, err, "metering unit", id); err != nil {
			return err
		}
		if ms[0].Used {
			return usedConflict("metering unit %q is used and cannot be deleted", id)
		}
		ref, err := tx.MeterReferenced(ctx, saasID, id)
		if err != nil {
			return err
		}
		if ref {
			return errs.Conflict("metering unit %q is referenced by a pricing unit or has recorded usage, and cannot be deleted", id)
		}
		return tx.DeleteMeter(ctx, saasID, id)
	})
}

// ---- units ----

// ListUnits returns every pricing unit of the SaaS in creation order.
func (s *Service) ListUnits(ctx context.Context, saasID string) (us []Unit, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		us, err = tx.Units(ctx, saasID)
		return err
	})
	return us, err
}

// GetUnit returns one pricing unit.
func (s *Service) GetUnit(ctx context.Context, saasID, id string) (u Unit, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		us, err := tx.Units(ctx, saasID, id)
		if err := exists(us, err, "pricing unit", id); err != nil {
			return err
		}
		u = us[0]
		return nil
	})
	return u, err
}

// CreateUnit adds a pricing unit. A metered unit must name an existing meter.
func (s *Service) CreateUnit(ctx context.Context, saasID string, in UnitInput) (Unit, error) {
	if err := in.Validate(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := s.write(ctx, saasID, func(tx Tx) error {
		var err error
		u, err = s.buildUnit(ctx, tx, saasID, s.newID(), in)
		if err != nil {
			return err
		}
		return tx.InsertUnit(ctx, saasID, u)
	})
	return u, err
}

// UpdateUnit replaces a pricing unit. On a used unit only name,
// display_name and description can change.
func (s *Service) UpdateUnit(ctx context.Context, saasID, id string, in UnitInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.write(ctx, saasID, func(tx Tx) error {
		us, err := tx.Units(ctx, saasID, id)
		if err := exists(us, err, "pricing unit", id); err != nil {
			return err
		}
		old := us[0]
		u, err := s.buildUnit(ctx, tx, saasID, id, in)
		if err != nil {
			return err
		}
		u.Used = old.Used
		if old.Used && !samePricing(old, u) {
			return usedConflict("pricing unit %q is used: only name, display_name and description can change", id)
		}
		return tx.UpdateUnit(ctx, saasID, u)
	})
}

// buildUnit turns a validated input into a Unit, resolving its meter and
// dropping the fields its type does not carry.
func (s *Service) buildUnit(ctx context.Context, tx Tx, saasID, id string, in UnitInput) (Unit, error) {
	u := Unit{ID: id, Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, Type: in.Type, Currency: in.Currency}
	if in.Type == UnitTypeFixed {
		u.UnitAmount, u.Interval = in.UnitAmount, in.Interval
		return u, nil
	}
	m, err := tx.MeterByName(ctx, saasID, in.MeterName)
	if errors.Is(err, errs.ErrNotExist) {
		var fe errs.FieldErrors
		fe.Add("metering_unit_name", "no metering unit named %q: create it first with POST /metering/units", in.MeterName)
		return Unit{}, fe.Err()
	}
	if err != nil {
		return Unit{}, err
	}
	u.MeterID, u.MeterName = m.ID, m.Name
	u.UpperCount, u.AggregateUsage = in.UpperCount, in.AggregateUsage
	// Metered units are billed monthly; the API gives no way to choose.
	u.Interval = IntervalMonth
	if in.Type == UnitTypeUsage {
		u.UnitAmount = in.UnitAmount
	} else {
		u.Tiers = slices.Clone(in.Tiers)
	}
	return u, nil
}

// samePricing reports whether two units charge the same way, ignoring the
// descriptive fields that stay editable once a unit is used.
func samePricing(a, b Unit) bool {
	return a.Type == b.Type && a.Currency == b.Currency && a.UnitAmount == b.UnitAmount &&
		a.Interval == b.Interval && a.UpperCount == b.UpperCount && a.MeterID == b.MeterID &&
		a.AggregateUsage == b.AggregateUsage && slices.Equal(a.Tiers, b.Tiers)
}

// DeleteUnit removes a pricing unit that is neither used nor in a menu.
func (s *Service) DeleteUnit(ctx context.Context, saasID, id string) error {
	return s.write(ctx, saasID, func(tx Tx) error {
		us, err := tx.Units(ctx, saasID, id)
		if err := exists(us, err, "pricing unit", id); err != nil {
			return err
		}
		if us[0].Used {
			return usedConflict("pricing unit %q is used and cannot be deleted", id)
		}
		ref, err := tx.UnitReferenced(ctx, saasID, id)
		if err != nil {
			return err
		}
		if ref {
			return errs.Conflict("pricing unit %q is part of a menu: remove it from its menus first", id)
		}
		return tx.DeleteUnit(ctx, saasID, id)
	})
}

// ---- menus ----

// ListMenus returns every menu with its units, in creation order.
func (s *Service) ListMenus(ctx context.Context, saasID string) (ms []Menu, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		recs, err := tx.Menus(ctx, saasID)
		if err != nil {
			return err
		}
		ms, err = assembleMenus(ctx, tx, saasID, recs, true)
		return err
	})
	return ms, err
}

// GetMenu returns one menu with its units.
func (s *Service) GetMenu(ctx context.Context, saasID, id string) (m Menu, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		recs, err := tx.Menus(ctx, saasID, id)
		if err := exists(recs, err, "pricing menu", id); err != nil {
			return err
		}
		ms, err := assembleMenus(ctx, tx, saasID, recs, false)
		if err != nil {
			return err
		}
		m = ms[0]
		return nil
	})
	return m, err
}

// CreateMenu adds a menu over existing units.
func (s *Service) CreateMenu(ctx context.Context, saasID string, in MenuInput) (Menu, error) {
	if err := in.Validate(); err != nil {
		return Menu{}, err
	}
	var m Menu
	err := s.write(ctx, saasID, func(tx Tx) error {
		units, err := unitsByID(ctx, tx, saasID, in.UnitIDs)
		if err != nil {
			return err
		}
		rec := MenuRecord{Menu: Menu{ID: s.newID(), Name: in.Name, DisplayName: in.DisplayName, Description: in.Description}, UnitIDs: slices.Clone(in.UnitIDs)}
		if err := tx.InsertMenu(ctx, saasID, rec); err != nil {
			return err
		}
		m = rec.Menu
		m.Units = units
		return nil
	})
	return m, err
}

// UpdateMenu replaces a menu. A used menu keeps its units.
func (s *Service) UpdateMenu(ctx context.Context, saasID, id string, in MenuInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.write(ctx, saasID, func(tx Tx) error {
		recs, err := tx.Menus(ctx, saasID, id)
		if err := exists(recs, err, "pricing menu", id); err != nil {
			return err
		}
		old := recs[0]
		if _, err := unitsByID(ctx, tx, saasID, in.UnitIDs); err != nil {
			return err
		}
		if old.Used && !slices.Equal(old.UnitIDs, in.UnitIDs) {
			return usedConflict("pricing menu %q is used: its unit_ids cannot change", id)
		}
		rec := MenuRecord{Menu: Menu{ID: id, Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, Used: old.Used}, UnitIDs: in.UnitIDs}
		return tx.UpdateMenu(ctx, saasID, rec)
	})
}

// DeleteMenu removes a menu that is neither used nor in a plan.
func (s *Service) DeleteMenu(ctx context.Context, saasID, id string) error {
	return s.write(ctx, saasID, func(tx Tx) error {
		recs, err := tx.Menus(ctx, saasID, id)
		if err := exists(recs, err, "pricing menu", id); err != nil {
			return err
		}
		if recs[0].Used {
			return usedConflict("pricing menu %q is used and cannot be deleted", id)
		}
		ref, err := tx.MenuReferenced(ctx, saasID, id)
		if err != nil {
			return err
		}
		if ref {
			return errs.Conflict("pricing menu %q is part of a plan: remove it from its plans first", id)
		}
		return tx.DeleteMenu(ctx, saasID, id)
	})
}

// ---- plans ----

// ListPlans returns every plan, fully nested, in creation order. The
// result is shared with a cache: callers must not modify it.
func (s *Service) ListPlans(ctx context.Context, saasID string) (ps []Plan, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		c, err := s.cachedPlans(ctx, tx, saasID)
		ps = c.plans
		return err
	})
	return ps, err
}

// GetPlan returns one plan, fully nested. The result is shared with a
// cache: callers must not modify it.
func (s *Service) GetPlan(ctx context.Context, saasID, id string) (p Plan, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		c, err := s.cachedPlans(ctx, tx, saasID)
		if err != nil {
			return err
		}
		i, ok := c.byID[id]
		if !ok {
			return notFound("pricing plan", id)
		}
		p = c.plans[i]
		return nil
	})
	return p, err
}

// CreatePlan adds a plan over existing menus.
func (s *Service) CreatePlan(ctx context.Context, saasID string, in PlanInput) (Plan, error) {
	if err := in.Validate(); err != nil {
		return Plan{}, err
	}
	var p Plan
	err := s.write(ctx, saasID, func(tx Tx) error {
		menus, err := menusByID(ctx, tx, saasID, in.MenuIDs)
		if err != nil {
			return err
		}
		rec := PlanRecord{Plan: Plan{ID: s.newID(), Name: in.Name, DisplayName: in.DisplayName, Description: in.Description}, MenuIDs: slices.Clone(in.MenuIDs)}
		if err := tx.InsertPlan(ctx, saasID, rec); err != nil {
			return err
		}
		p = rec.Plan
		p.Menus = menus
		return nil
	})
	return p, err
}

// UpdatePlan replaces a plan. A used plan keeps its menus.
func (s *Service) UpdatePlan(ctx context.Context, saasID, id string, in PlanInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.write(ctx, saasID, func(tx Tx) error {
		recs, err := tx.Plans(ctx, saasID, id)
		if err := exists(recs, err, "pricing plan", id); err != nil {
			return err
		}
		old := recs[0]
		if _, err := menusByID(ctx, tx, saasID, in.MenuIDs); err != nil {
			return err
		}
		if old.Used && !slices.Equal(old.MenuIDs, in.MenuIDs) {
			return usedConflict("pricing plan %q is used: its menu_ids cannot change", id)
		}
		rec := PlanRecord{Plan: Plan{ID: id, Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, Used: old.Used}, MenuIDs: in.MenuIDs}
		return tx.UpdatePlan(ctx, saasID, rec)
	})
}

// DeletePlan removes a plan that is not used.
func (s *Service) DeletePlan(ctx context.Context, saasID, id string) error {
	return s.write(ctx, saasID, func(tx Tx) error {
		recs, err := tx.Plans(ctx, saasID, id)
		if err := exists(recs, err, "pricing plan", id); err != nil {
			return err
		}
		if recs[0].Used {
			return usedConflict("pricing plan %q is used and cannot be deleted", id)
		}
		return tx.DeletePlan(ctx, saasID, id)
	})
}

// MarkPlansUsed marks plans, and everything under them, as used. Every id
// must exist; otherwise nothing is marked.
func (s *Service) MarkPlansUsed(ctx context.Context, saasID string, planIDs []string) error {
	var fe errs.FieldErrors
	checkIDs(&fe, "plan_ids", planIDs)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error { return MarkUsed(ctx, tx, saasID, planIDs) })
}

// MarkUsed marks plans used inside a caller's transaction; other domains
// (tenant plan assignment) use it so the mark and their change commit
// together. Unknown ids are a field error on plan_ids.
func MarkUsed(ctx context.Context, tx Tx, saasID string, planIDs []string) error {
	recs, err := tx.Plans(ctx, saasID, planIDs...)
	if err != nil {
		return err
	}
	if err := missing("plan_ids", "pricing plan", planIDs, recs, func(r PlanRecord) string { return r.ID }); err != nil {
		return err
	}
	if err := tx.MarkPlansUsed(ctx, saasID, planIDs); err != nil {
		return err
	}
	return tx.BumpCatalogVersion(ctx, saasID)
}

// ---- tax rates ----

// ListTaxRates returns every tax rate in creation order.
func (s *Service) ListTaxRates(ctx context.Context, saasID string) (rs []TaxRate, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		rs, err = tx.TaxRates(ctx, saasID)
		return err
	})
	return rs, err
}

// GetTaxRate returns one tax rate.
func (s *Service) GetTaxRate(ctx context.Context, saasID, id string) (r TaxRate, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		rs, err := tx.TaxRates(ctx, saasID, id)
		if err := exists(rs, err, "tax rate", id); err != nil {
			return err
		}
		r = rs[0]
		return nil
	})
	return r, err
}

// CreateTaxRate adds a tax rate; its name must be unique in the SaaS.
func (s *Service) CreateTaxRate(ctx context.Context, saasID string, in TaxRateInput) (TaxRate, error) {
	if err := in.Validate(); err != nil {
		return TaxRate{}, err
	}
	pct, _ := NormalizePercentage(in.Percentage) // validated above
	r := TaxRate{ID: s.newID(), Name: in.Name, DisplayName: in.DisplayName, Percentage: pct, Inclusive: in.Inclusive, Country: in.Country, Description: in.Description}
	err := s.write(ctx, saasID, func(tx Tx) error {
		return errs.DuplicateName(tx.InsertTaxRate(ctx, saasID, r), "name", "tax rate", r.Name)
	})
	return r, err
}

// UpdateTaxRate changes a tax rate's display_name and description; nothing
// else of a tax rate can change once it exists.
func (s *Service) UpdateTaxRate(ctx context.Context, saasID, id string, in TaxRateUpdate) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.write(ctx, saasID, func(tx Tx) error {
		rs, err := tx.TaxRates(ctx, saasID, id)
		if err := exists(rs, err, "tax rate", id); err != nil {
			return err
		}
		r := rs[0]
		r.DisplayName, r.Description = in.DisplayName, in.Description
		return tx.UpdateTaxRate(ctx, saasID, r)
	})
}

// DeleteCatalog wipes the SaaS's plans, menus, units, meters and tax rates.
func (s *Service) DeleteCatalog(ctx context.Context, saasID string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error { return ResetCatalog(ctx, tx, saasID) })
}

// ResetCatalog wipes the SaaS's catalog, and what refers to it, inside a
// caller's transaction (DeleteCatalog and the auth API's ResetPlan), and
// bumps the catalog version so every cache drops it.
func ResetCatalog(ctx context.Context, tx Tx, saasID string) error {
	if err := tx.DeleteCatalog(ctx, saasID); err != nil {
		return err
	}
	return tx.BumpCatalogVersion(ctx, saasID)
}

// ---- helpers ----

// missing returns a field error naming every requested id that got no row.
func missing[T any](field, what string, want []string, got []T, id func(T) string) error {
	if len(got) == len(want) {
		return nil
	}
	have := make(map[string]bool, len(got))
	for _, g := range got {
		have[id(g)] = true
	}
	var fe errs.FieldErrors
	for i, w := range want {
		if !have[w] {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), "no %s with id %q", what, w)
		}
	}
	return fe.Err()
}

// unitsByID loads units in the order of ids, failing on unknown ids.
func unitsByID(ctx context.Context, tx Tx, saasID string, ids []string) ([]Unit, error) {
	if len(ids) == 0 {
		return []Unit{}, nil
	}
	us, err := tx.Units(ctx, saasID, ids...)
	if err != nil {
		return nil, err
	}
	if err := missing("unit_ids", "pricing unit", ids, us, func(u Unit) string { return u.ID }); err != nil {
		return nil, err
	}
	return orderBy(ids, us, func(u Unit) string { return u.ID }), nil
}

// menusByID loads menus, with their units, in the order of ids.
func menusByID(ctx context.Context, tx Tx, saasID string, ids []string) ([]Menu, error) {
	if len(ids) == 0 {
		return []Menu{}, nil
	}
	recs, err := tx.Menus(ctx, saasID, ids...)
	if err != nil {
		return nil, err
	}
	if err := missing("menu_ids", "pricing menu", ids, recs, func(m MenuRecord) string { return m.ID }); err != nil {
		return nil, err
	}
	ms, err := assembleMenus(ctx, tx, saasID, recs, false)
	if err != nil {
		return nil, err
	}
	return orderBy(ids, ms, func(m Menu) string { return m.ID }), nil
}

func orderBy[T any](ids []string, items []T, id func(T) string) []T {
	byID := make(map[string]T, len(items))
	for _, it := range items {
		byID[id(it)] = it
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if it, ok := byID[i]; ok {
			out = append(out, it)
		}
	}
	return out
}

// assembleMenus fills in the units of menu records. With all set, the
// records are the SaaS's whole menu list, and every unit is read in one
// plain query instead of a long IN list.
func assembleMenus(ctx context.Context, tx Tx, saasID string, recs []MenuRecord, all bool) ([]Menu, error) {
	ids := childIDs(recs, func(r MenuRecord) []string { return r.UnitIDs })
	byID := map[string]Unit{}
	if len(ids) > 0 {
		var us []Unit
		var err error
		if all {
			us, err = tx.Units(ctx, saasID)
		} else {
			us, err = tx.Units(ctx, saasID, ids...)
		}
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			byID[u.ID] = u
		}
	}
	out := make([]Menu, len(recs))
	for i, r := range recs {
		m := r.Menu
		m.Units = make([]Unit, 0, len(r.UnitIDs))
		for _, id := range r.UnitIDs {
			u, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("menu %s references missing unit %s", r.ID, id)
			}
			m.Units = append(m.Units, u)
		}
		out[i] = m
	}
	return out, nil
}

// assemblePlans fills in the menus (and their units) of plan records with a
// fixed number of queries, whatever the number of plans. With all set, the
// records are the SaaS's whole plan list.
func assemblePlans(ctx context.Context, tx Tx, saasID string, recs []PlanRecord, all bool) ([]Plan, error) {
	ids := childIDs(recs, func(r PlanRecord) []string { return r.MenuIDs })
	byID := map[string]Menu{}
	if len(ids) > 0 {
		var mrecs []MenuRecord
		var err error
		if all {
			mrecs, err = tx.Menus(ctx, saasID)
		} else {
			mrecs, err = tx.Menus(ctx, saasID, ids...)
		}
		if err != nil {
			return nil, err
		}
		ms, err := assembleMenus(ctx, tx, saasID, mrecs, all)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			byID[m.ID] = m
		}
	}
	out := make([]Plan, len(recs))
	for i, r := range recs {
		p := r.Plan
		p.Menus = make([]Menu, 0, len(r.MenuIDs))
		for _, id := range r.MenuIDs {
			m, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("plan %s references missing menu %s", r.ID, id)
			}
			p.Menus = append(p.Menus, m)
		}
		out[i] = p
	}
	return out, nil
}

// childIDs returns the distinct child ids of records, in first-seen order.
func childIDs[R any](recs []R, children func(R) []string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range recs {
		for _, id := range children(r) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// LoadPlans reads plans, fully nested, inside a caller's transaction; other
// domains use it to look at a plan they are assigning. Unknown ids are
// simply absent from the result.
func LoadPlans(ctx context.Context, tx Tx, saasID string, ids ...string) ([]Plan, error) {
	recs, err := tx.Plans(ctx, saasID, ids...)
	if err != nil {
		return nil, err
	}
	return assemblePlans(ctx, tx, saasID, recs, len(ids) == 0)
}

// Yearly reports whether the plan bills yearly: when any of its units
// recurs yearly (a plan cannot mix intervals in one subscription).
func (p Plan) Yearly() bool {
	for _, m := range p.Menus {
		for _, u := range m.Units {
			if u.Interval == IntervalYear {
				return true
			}
		}
	}
	return false
}
