package azure

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// AzurePlanLink links an Azure plan id to a pricing plan of the same SaaS.
type AzurePlanLink struct {
	AzurePlanID string
	PlanID      string
}

var azurePlanIDRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,50}$`)

// Validate checks the link's shape.
func (l AzurePlanLink) Validate() error {
	var fe errs.FieldErrors
	if !azurePlanIDRE.MatchString(l.AzurePlanID) {
		fe.Add("azure_plan_id", "must be 1 to 50 letters, digits, '.', '-' or '_' (the plan id of Partner Center)")
	}
	if l.PlanID == "" {
		fe.Add("plan_id", "must not be empty")
	}
	return fe.Err()
}

// ListAzurePlanLinks returns the links ordered by Azure plan id (byte
// order); links whose pricing plan was deleted are left out.
func (s *Service) ListAzurePlanLinks(ctx context.Context, saasID string) (out []AzurePlanLink, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := tx.AzureSettings(ctx, saasID); err != nil {
			return marketplace.SaaSNotFound(err, saasID)
		}
		links, err := tx.AzurePlanLinks(ctx, saasID)
		if err != nil || len(links) == 0 {
			out = links
			return err
		}
		ids := make([]string, 0, len(links))
		for _, l := range links {
			ids = append(ids, l.PlanID)
		}
		existing, err := tx.PricingPlanIDs(ctx, saasID, ids...)
		if err != nil {
			return err
		}
		out = slices.DeleteFunc(links, func(l AzurePlanLink) bool { return !slices.Contains(existing, l.PlanID) })
		slices.SortFunc(out, func(a, b AzurePlanLink) int { return strings.Compare(a.AzurePlanID, b.AzurePlanID) })
		return nil
	})
	if out == nil {
		out = []AzurePlanLink{}
	}
	return out, err
}

// SaveAzurePlanLink links an Azure plan id to an existing pricing plan,
// replacing an earlier link of the same id.
func (s *Service) SaveAzurePlanLink(ctx context.Context, saasID string, l AzurePlanLink) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		ids, err := tx.PricingPlanIDs(ctx, saasID, l.PlanID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			var fe errs.FieldErrors
			fe.Add("plan_id", "no pricing plan %q exists", l.PlanID)
			return fe.Err()
		}
		return tx.PutAzurePlanLink(ctx, saasID, l)
	})
}

// azurePlanFor returns the pricing plan linked to an Azure plan id, or
// errs.KindNotFound.
func (s *Service) azurePlanFor(ctx context.Context, saasID, azurePlanID string) (planID string, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		l, err := tx.AzurePlanLink(ctx, saasID, azurePlanID)
		if err != nil {
			return err
		}
		ids, err := tx.PricingPlanIDs(ctx, saasID, l.PlanID)
		if err == nil && len(ids) == 0 {
			return errs.ErrNotExist
		}
		planID = l.PlanID
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return "", errs.Conflict("no pricing plan is linked to the Azure plan %q: PUT /v1/azuremarketplace/plans first", azurePlanID).WithType("azure_plan_not_linked")
	}
	return planID, err
}
