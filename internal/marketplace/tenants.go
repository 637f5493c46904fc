package marketplace

import (
	"context"

	"github.com/saasplane/saasplane/internal/tenant"
)

// Tenants is what the marketplaces need of the tenant service: linked
// tenants get the plans of their marketplace subscriptions.
type Tenants interface {
	Get(ctx context.Context, saasID, id string) (tenant.Detail, error)
	ChangePlan(ctx context.Context, saasID, id string, c tenant.PlanChange) error
	EndPlan(ctx context.Context, saasID, id string) error
	// Create adds a tenant (the Azure activation that names no tenant, the
	// AWS sign-up).
	Create(ctx context.Context, saasID string, in tenant.TenantInput) (tenant.Tenant, error)
	// Delete removes a tenant (the AWS sign-up whose link failed).
	Delete(ctx context.Context, saasID, id string) error
}
