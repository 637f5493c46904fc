package tenant

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/pricing"
)

// Store gives the service transactions. A tenant transaction is also a
// pricing transaction, so a plan assignment and the plan's used mark commit
// together.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Ref names one tenant of one SaaS.
type Ref struct {
	SaaSID string
	ID     string
}

// Tx reads and writes tenants. Every method is scoped to one SaaS, and
// deleted tenants are invisible to all of them.
type Tx interface {
	pricing.Tx

	// Tenants returns the tenants with the given ids (all when none are
	// given), in creation order, with their plan history.
	Tenants(ctx context.Context, saasID string, ids ...string) ([]Tenant, error)
	InsertTenant(ctx context.Context, saasID string, t Tenant) error
	// UpdateTenant writes every field but the history and CreatedAt.
	UpdateTenant(ctx context.Context, saasID string, t Tenant) error
	AppendHistory(ctx context.Context, saasID, tenantID string, h PlanHistory) error
	// DeleteTenant hides the tenant from every read and drops its pending
	// reservation; its history and usage stay stored. Its members leave
	// the user pool's tenant (identity.Tx.DeleteMember says what follows).
	DeleteTenant(ctx context.Context, saasID, id string, at time.Time) error
	// TenantDeleted reports whether the SaaS had a tenant of that id that
	// was deleted.
	TenantDeleted(ctx context.Context, saasID, id string) (bool, error)

	// DueReservations lists tenants, of any SaaS, whose reservation time
	// is at or before now, oldest first.
	DueReservations(ctx context.Context, now time.Time, limit int) ([]Ref, error)
	// OldestDue returns the earliest reservation time due at now and not
	// yet applied, of any SaaS; ok is false when none is due.
	OldestDue(ctx context.Context, now time.Time) (at time.Time, ok bool, err error)

	Attributes(ctx context.Context, saasID string) ([]Attribute, error)
	InsertAttribute(ctx context.Context, saasID string, a Attribute) error
	// DeleteAttribute removes the declaration and the attribute's value
	// from every tenant of the SaaS.
	DeleteAttribute(ctx context.Context, saasID, name string) error
}
