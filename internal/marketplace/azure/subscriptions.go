package azure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// AzureSubscription is a SaaS subscription linked to a tenant, as saasplane
// last saw it at the marketplace.
type AzureSubscription struct {
	SubscriptionID   string
	TenantID         string
	Name             string
	OfferID          string
	AzurePlanID      string
	Quantity         int64 // 0: not a per-seat plan
	Status           string
	BeneficiaryEmail string
	// LastOperationAt is the time stamp of the newest operation applied;
	// an older one is recorded as stale and changes nothing.
	LastOperationAt time.Time
	// SyncedAt is when the marketplace's view now stored was asked for;
	// an older view never overwrites it.
	SyncedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AzureActivation says which tenant an activated subscription belongs to:
// an existing one, or a new one of that name, whose back-office e-mail is
// BackOfficeStaffEmail or else the subscription's beneficiary's.
type AzureActivation struct {
	TenantID             string
	TenantName           string
	BackOfficeStaffEmail string
}

// ResolveAzureToken resolves a landing page token to its subscription,
// with the tenant it is linked to ("" when none yet).
func (s *Service) ResolveAzureToken(ctx context.Context, saasID, token string) (AzureSubscriptionInfo, string, error) {
	if token == "" {
		var fe errs.FieldErrors
		fe.Add("token", "is required (the landing page's token query parameter, URL-decoded)")
		return AzureSubscriptionInfo{}, "", fe.Err()
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscriptionInfo{}, "", err
	}
	info, err := s.azure.Resolve(ctx, st.creds(), token)
	if err != nil {
		return info, "", err
	}
	tenantID := ""
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		sub, err := tx.AzureSubscription(ctx, saasID, info.ID)
		if errors.Is(err, errs.ErrNotExist) {
			return nil
		}
		tenantID = sub.TenantID
		return err
	})
	return info, tenantID, err
}

// ActivateAzureSubscription links a subscription to a tenant (creating it
// when a name is given instead of an id), gives the tenant the pricing
// plan linked to the subscription's Azure plan, and activates the
// subscription at the marketplace, which starts billing. Calling it again
// is safe: a linked subscription keeps its tenant, an active one is not
// activated twice.
func (s *Service) ActivateAzureSubscription(ctx context.Context, saasID, subscriptionID string, in AzureActivation) (AzureSubscription, error) {
	var fe errs.FieldErrors
	if (in.TenantID == "") == (in.TenantName == "") {
		fe.Add("tenant_id", "exactly one of tenant_id and tenant_name is required")
	}
	if err := fe.Err(); err != nil {
		return AzureSubscription{}, err
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscription{}, err
	}
	info, err := s.azure.GetSubscription(ctx, st.creds(), subscriptionID)
	if err != nil {
		return AzureSubscription{}, err
	}
	if info.Status == AzureUnsubscribed {
		return AzureSubscription{}, errs.Conflict("Azure subscription %q is unsubscribed", subscriptionID).WithType("azure_subscription_unsubscribed")
	}
	// Refuse before billing starts when no plan can be given.
	if _, err := s.azurePlanFor(ctx, saasID, info.PlanID); err != nil {
		return AzureSubscription{}, err
	}
	existing, err := s.GetAzureSubscription(ctx, saasID, subscriptionID)
	linked := err == nil
	if err != nil && errs.KindOf(err) != errs.KindNotFound {
		return AzureSubscription{}, err
	}
	tenantID := in.TenantID
	switch {
	case linked && tenantID != "" && existing.TenantID != tenantID:
		return AzureSubscription{}, errs.Conflict("Azure subscription %q is already linked to tenant %q", subscriptionID, existing.TenantID).WithType("azure_subscription_already_linked")
	case linked:
		tenantID = existing.TenantID
	case tenantID != "":
		if _, err := s.tenants.Get(ctx, saasID, tenantID); err != nil {
			if errs.KindOf(err) == errs.KindNotFound {
				fe.Add("tenant_id", "no tenant with id %q", tenantID)
				return AzureSubscription{}, fe.Err()
			}
			return AzureSubscription{}, err
		}
	default:
		email := in.BackOfficeStaffEmail
		if email == "" {
			email = info.BeneficiaryEmail
		}
		t, err := s.tenants.Create(ctx, saasID, tenant.TenantInput{Name: in.TenantName, BackOfficeStaffEmail: email})
		if err != nil {
			return AzureSubscription{}, err
		}
		tenantID = t.ID
	}
	now := s.now()
	if !linked {
		// The link is stored before activation: a retry after a failed
		// activation finds the tenant created the first time.
		err = s.store.WriteTx(ctx, func(tx Tx) error {
			sub, err := tx.AzureSubscription(ctx, saasID, subscriptionID)
			switch {
			case err == nil && sub.TenantID != tenantID:
				return errs.Conflict("Azure subscription %q is already linked to tenant %q", subscriptionID, sub.TenantID).WithType("azure_subscription_already_linked")
			case err == nil:
				return nil
			case !errors.Is(err, errs.ErrNotExist):
				return err
			}
			sub = AzureSubscription{SubscriptionID: subscriptionID, TenantID: tenantID, CreatedAt: now}
			sub.follow(info, now)
			return tx.PutAzureSubscription(ctx, saasID, sub)
		})
		if err != nil {
			return AzureSubscription{}, err
		}
	}
	if info.Status == AzurePendingFulfillmentStart {
		if err := s.azure.Activate(ctx, st.creds(), subscriptionID, info.PlanID, info.Quantity); err != nil {
			return AzureSubscription{}, err
		}
	}
	return s.syncAzure(ctx, saasID, st, subscriptionID)
}

// follow copies the marketplace's view into the stored subscription.
func (sub *AzureSubscription) follow(info AzureSubscriptionInfo, seen time.Time) {
	sub.Name, sub.OfferID, sub.AzurePlanID, sub.Quantity, sub.Status = info.Name, info.OfferID, info.PlanID, info.Quantity, info.Status
	sub.BeneficiaryEmail = info.BeneficiaryEmail
	sub.SyncedAt, sub.UpdatedAt = seen, seen
}

// syncAzure reads the subscription from the marketplace, stores it and
// makes the tenant's plan follow.
func (s *Service) syncAzure(ctx context.Context, saasID string, st AzureSettings, subscriptionID string) (AzureSubscription, error) {
	asked := s.now()
	info, err := s.azure.GetSubscription(ctx, st.creds(), subscriptionID)
	if err != nil {
		return AzureSubscription{}, err
	}
	info.ID = subscriptionID
	return s.syncAzureAt(ctx, saasID, info, asked)
}

// applyAzurePlan makes the tenant's plan follow the subscription: the plan
// linked to its Azure plan while Subscribed or Suspended (a suspended
// subscription keeps its plan: the SaaS limits access by its status), no
// plan once Unsubscribed; nothing before activation. An Azure plan with no
// linked pricing plan leaves the tenant's plan alone.
func (s *Service) applyAzurePlan(ctx context.Context, saasID string, sub AzureSubscription) error {
	var planID string
	switch sub.Status {
	case AzureUnsubscribed:
	case AzureSubscribed, AzureSuspended:
		id, err := s.azurePlanFor(ctx, saasID, sub.AzurePlanID)
		if errs.KindOf(err) == errs.KindConflict {
			s.log.Warn("Azure plan has no linked pricing plan: tenant plan unchanged", "saas_id", saasID,
				"subscription_id", sub.SubscriptionID, "azure_plan_id", sub.AzurePlanID)
			return nil
		}
		if err != nil {
			return err
		}
		planID = id
	default:
		return nil
	}
	t, err := s.tenants.Get(ctx, saasID, sub.TenantID)
	if errs.KindOf(err) == errs.KindNotFound {
		return nil // the tenant was deleted: nothing to follow
	}
	if err != nil {
		return err
	}
	if t.PlanID == planID {
		return nil
	}
	if planID == "" {
		return s.tenants.EndPlan(ctx, saasID, sub.TenantID)
	}
	if err := s.tenants.ChangePlan(ctx, saasID, sub.TenantID, tenant.PlanChange{NextPlanID: &planID}); err != nil {
		return fmt.Errorf("give tenant %s the plan of Azure plan %q: %w", sub.TenantID, sub.AzurePlanID, err)
	}
	return nil
}

// GetAzureSubscription returns a linked subscription.
func (s *Service) GetAzureSubscription(ctx context.Context, saasID, subscriptionID string) (sub AzureSubscription, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		sub, err = tx.AzureSubscription(ctx, saasID, subscriptionID)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return sub, errs.NotFound("Azure subscription %q is not linked to a tenant", subscriptionID)
	}
	return sub, err
}

// ListAzureSubscriptions returns the linked subscriptions of the given
// tenants (all when none is given), oldest link first.
func (s *Service) ListAzureSubscriptions(ctx context.Context, saasID string, tenantIDs []string) (out []AzureSubscription, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		out, err = tx.AzureSubscriptions(ctx, saasID, tenantIDs...)
		return err
	})
	slices.SortStableFunc(out, func(a, b AzureSubscription) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}
