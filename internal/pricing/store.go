package pricing

import "context"

// Store gives the service transactions over the catalog. Every method of Tx
// is scoped to one SaaS: rows of another SaaS are invisible to it.
//
// Tx methods return errs.ErrNotExist for a missing row and errs.ErrDuplicate
// when a uniqueness constraint rejects a write.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// MenuRecord is a stored menu: its own fields and its units' ids in order.
type MenuRecord struct {
	Menu
	UnitIDs []string
}

// PlanRecord is a stored plan: its own fields and its menus' ids in order.
type PlanRecord struct {
	Plan
	MenuIDs []string
}

// Tx reads and writes one SaaS's catalog inside one transaction. Update
// methods never change the used flag: only MarkPlansUsed sets it. The list
// methods return every row when ids is empty, in creation order, and the rows
// that exist otherwise (callers compare lengths to find unknown ids).
type Tx interface {
	// CatalogVersion is a counter that every catalog write increments (0
	// for a SaaS that never wrote); BumpCatalogVersion increments it.
	CatalogVersion(ctx context.Context, saasID string) (int64, error)
	BumpCatalogVersion(ctx context.Context, saasID string) error

	Meters(ctx context.Context, saasID string, ids ...string) ([]Meter, error)
	MeterByName(ctx context.Context, saasID, name string) (Meter, error)
	InsertMeter(ctx context.Context, saasID string, m Meter) error
	UpdateMeter(ctx context.Context, saasID string, m Meter) error
	DeleteMeter(ctx context.Context, saasID, id string) error
	// MeterReferenced reports whether a pricing unit uses the meter or
	// usage has been recorded on it.
	MeterReferenced(ctx context.Context, saasID, id string) (bool, error)

	Units(ctx context.Context, saasID string, ids ...string) ([]Unit, error)
	InsertUnit(ctx context.Context, saasID string, u Unit) error
	UpdateUnit(ctx context.Context, saasID string, u Unit) error
	DeleteUnit(ctx context.Context, saasID, id string) error
	UnitReferenced(ctx context.Context, saasID, id string) (bool, error)

	Menus(ctx context.Context, saasID string, ids ...string) ([]MenuRecord, error)
	InsertMenu(ctx context.Context, saasID string, m MenuRecord) error
	UpdateMenu(ctx context.Context, saasID string, m MenuRecord) error
	DeleteMenu(ctx context.Context, saasID, id string) error
	MenuReferenced(ctx context.Context, saasID, id string) (bool, error)

	Plans(ctx context.Context, saasID string, ids ...string) ([]PlanRecord, error)
	InsertPlan(ctx context.Context, saasID string, p PlanRecord) error
	UpdatePlan(ctx context.Context, saasID string, p PlanRecord) error
	DeletePlan(ctx context.Context, saasID, id string) error

	// MarkPlansUsed sets used on the plans and, transitively, on their
	// menus, those menus' units and those units' meters.
	MarkPlansUsed(ctx context.Context, saasID string, planIDs []string) error

	TaxRates(ctx context.Context, saasID string, ids ...string) ([]TaxRate, error)
	InsertTaxRate(ctx context.Context, saasID string, r TaxRate) error
	UpdateTaxRate(ctx context.Context, saasID string, r TaxRate) error

	// DeleteCatalog removes every plan, menu, unit, meter and tax rate of
	// the SaaS, and every reference to them: tenants lose their plan,
	// pending reservation and plan history.
	DeleteCatalog(ctx context.Context, saasID string) error
}
