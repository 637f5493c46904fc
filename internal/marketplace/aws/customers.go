package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// CustomerStatus is where a buyer's subscription stands.
type CustomerStatus string

const (
	// CustomerPending: linked, but AWS showed no entitlement yet.
	CustomerPending CustomerStatus = "pending"
	// CustomerSubscribed: AWS shows an entitlement (or said subscribe-success).
	CustomerSubscribed CustomerStatus = "subscribed"
	// CustomerUnsubscribePending: the buyer is leaving; final usage may still be sent.
	CustomerUnsubscribePending CustomerStatus = "unsubscribe_pending"
	// CustomerUnsubscribed: the contract ended; the tenant has no plan from AWS.
	CustomerUnsubscribed CustomerStatus = "unsubscribed"
	// CustomerSubscribeFailed: AWS said the subscription failed.
	CustomerSubscribeFailed CustomerStatus = "subscribe_failed"
)

// AWSCustomer is a buyer linked to a tenant.
type AWSCustomer struct {
	Buyer
	TenantID string
	Status   CustomerStatus
	// Dimension is the entitled dimension the last sync found ("" when
	// none); EntitlementExpires its end (zero when unknown).
	Dimension          string
	EntitlementExpires time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// CreateCustomer links the buyer of a registration token to a tenant and
// gives the tenant the plan linked to the buyer's entitled dimension. The
// token is used up. Linking a buyer already linked to the same tenant
// again is allowed (a second purchase flow of the same buyer); to another
// tenant, it is a conflict.
func (s *Service) CreateCustomer(ctx context.Context, saasID, tenantID, token string) (AWSCustomer, error) {
	var fe errs.FieldErrors
	fe.Required("tenant_id", tenantID)
	fe.Required("registration_token", token)
	if err := fe.Err(); err != nil {
		return AWSCustomer{}, err
	}
	var rt RegistrationToken
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		rt, err = s.registrationToken(ctx, tx, saasID, token)
		return err
	}); err != nil {
		return AWSCustomer{}, err
	}
	if _, err := s.tenants.Get(ctx, saasID, tenantID); err != nil {
		if errs.KindOf(err) == errs.KindNotFound {
			fe.Add("tenant_id", "no tenant with id %q", tenantID)
			return AWSCustomer{}, fe.Err()
		}
		return AWSCustomer{}, err
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return AWSCustomer{}, err
	}
	// Ask AWS before using the token: if AWS is down, the SaaS can retry.
	ents, err := s.aws.Entitlements(ctx, st.role(), rt.Buyer)
	if err != nil {
		return AWSCustomer{}, err
	}
	now := s.now()
	var c AWSCustomer
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := s.registrationToken(ctx, tx, saasID, token); err != nil {
			return err // used by a concurrent request meanwhile
		}
		old, err := tx.AWSCustomer(ctx, saasID, rt.CustomerIdentifier)
		switch {
		case errors.Is(err, errs.ErrNotExist):
			c = AWSCustomer{Buyer: rt.Buyer, TenantID: tenantID, CreatedAt: now}
		case err != nil:
			return err
		case old.TenantID != tenantID:
			return errs.Conflict("AWS customer %q is already linked to tenant %q", rt.CustomerIdentifier, old.TenantID).WithType("customer_already_linked")
		default:
			c = old
			c.Buyer = rt.Buyer
		}
		if err := tx.UseRegistrationToken(ctx, saasID, tokenHash(token), now); errors.Is(err, errs.ErrNotExist) {
			return invalidToken()
		} else if err != nil {
			return err
		}
		c.entitled(ents, now)
		c.UpdatedAt = now
		return tx.PutAWSCustomer(ctx, saasID, c)
	})
	if err != nil {
		return AWSCustomer{}, err
	}
	return c, s.applyPlan(ctx, saasID, c)
}

// entitled sets the customer's dimension, expiry and status from what AWS
// returned: the active entitlement with the latest expiry, or none.
func (c *AWSCustomer) entitled(ents []Entitlement, now time.Time) {
	var best *Entitlement
	for i := range ents {
		e := &ents[i]
		if !e.Expires.IsZero() && !e.Expires.After(now) {
			continue // ended
		}
		if best == nil || e.Expires.IsZero() || (!best.Expires.IsZero() && e.Expires.After(best.Expires)) ||
			(e.Expires.Equal(best.Expires) && e.Dimension < best.Dimension) {
			best = e
		}
	}
	if best == nil {
		c.Dimension, c.EntitlementExpires = "", time.Time{}
		switch c.Status {
		case "", CustomerPending:
			c.Status = CustomerPending
		case CustomerSubscribeFailed:
		default:
			c.Status = CustomerUnsubscribed
		}
		return
	}
	c.Dimension, c.EntitlementExpires = best.Dimension, best.Expires
	if c.Status != CustomerUnsubscribePending {
		c.Status = CustomerSubscribed
	}
}

// applyPlan makes the tenant's plan follow the customer: the plan linked
// to its dimension while entitled; no plan once unsubscribed. A dimension
// with no linked plan, or a pending customer, leaves the plan alone.
func (s *Service) applyPlan(ctx context.Context, saasID string, c AWSCustomer) error {
	var planID string
	switch {
	case c.Status == CustomerUnsubscribed:
		planID = ""
	case c.Dimension == "":
		return nil
	default:
		id, err := s.PlanFor(ctx, saasID, c.Dimension)
		if errs.KindOf(err) == errs.KindNotFound {
			s.log.Warn("AWS dimension has no linked plan: tenant plan unchanged", "saas_id", saasID,
				"customer_identifier", c.CustomerIdentifier, "dimension", c.Dimension)
			return nil
		}
		if err != nil {
			return err
		}
		planID = id
	}
	t, err := s.tenants.Get(ctx, saasID, c.TenantID)
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
		return s.tenants.EndPlan(ctx, saasID, c.TenantID)
	}
	if err := s.tenants.ChangePlan(ctx, saasID, c.TenantID, tenant.PlanChange{NextPlanID: &planID}); err != nil {
		return fmt.Errorf("give tenant %s the plan of AWS dimension %q: %w", c.TenantID, c.Dimension, err)
	}
	return nil
}

// SyncCustomer reads the customer's entitlements from AWS again and makes
// the customer and the tenant's plan follow them.
func (s *Service) SyncCustomer(ctx context.Context, saasID, customerIdentifier string) error {
	c, err := s.GetCustomer(ctx, saasID, customerIdentifier)
	if err != nil {
		return err
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return err
	}
	ents, err := s.aws.Entitlements(ctx, st.role(), c.Buyer)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if c, err = tx.AWSCustomer(ctx, saasID, customerIdentifier); err != nil {
			return err
		}
		c.entitled(ents, now)
		c.UpdatedAt = now
		return tx.PutAWSCustomer(ctx, saasID, c)
	})
	if err != nil {
		return err
	}
	return s.applyPlan(ctx, saasID, c)
}

// GetCustomer returns one linked buyer.
func (s *Service) GetCustomer(ctx context.Context, saasID, customerIdentifier string) (c AWSCustomer, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		c, err = tx.AWSCustomer(ctx, saasID, customerIdentifier)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return c, errs.NotFound("AWS customer %q not found", customerIdentifier)
	}
	return c, err
}

// ListCustomers returns the linked buyers of the given tenants (all of
// them when none is given), oldest link first.
func (s *Service) ListCustomers(ctx context.Context, saasID string, tenantIDs []string) (cs []AWSCustomer, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		cs, err = tx.AWSCustomers(ctx, saasID, tenantIDs...)
		return err
	})
	slices.SortStableFunc(cs, func(a, b AWSCustomer) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return cs, err
}
