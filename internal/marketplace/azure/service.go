package azure

import (
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace"
)

// Service is the Azure Marketplace integration of every SaaS: its
// settings, plan links, and the subscriptions linked to its tenants. Each
// method takes the id of the SaaS that the caller authenticated as;
// nothing crosses SaaS boundaries.
type Service struct {
	store   Store
	now     func() time.Time
	log     *slog.Logger
	azure   Azure
	tenants marketplace.Tenants
}

// Deps are what a Service works with besides its store.
type Deps struct {
	Now func() time.Time
	Log *slog.Logger
	// Azure calls the Azure Marketplace (or the emulator); nil makes the
	// calls that need it answer 503.
	Azure Azure
	// Tenants gives linked tenants the plans of their subscriptions, and
	// creates the tenant of an activation that names none.
	Tenants marketplace.Tenants
}

// NewService builds a Service.
func NewService(store Store, d Deps) *Service {
	return &Service{store: store, now: d.Now, log: d.Log, azure: d.Azure, tenants: d.Tenants}
}
