package aws

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// PlanLink links an AWS plan name (the API identifier of a contract
// dimension) to a pricing plan of the same SaaS.
type PlanLink struct {
	PlanName string
	PlanID   string
}

var planNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,36}$`)

// ValidPlanName reports whether name can be an AWS plan name: 1 to 36 ASCII
// letters, digits or underscores, the rules of an AWS contract dimension's
// API identifier.
func ValidPlanName(name string) bool { return planNameRE.MatchString(name) }

// Validate checks the link's shape; the plan's existence is checked by the
// service.
func (l PlanLink) Validate() error {
	var fe errs.FieldErrors
	if l.PlanID == "" {
		fe.Add("plan_id", "must not be empty")
	}
	if !ValidPlanName(l.PlanName) {
		fe.Add("plan_name", "must be 1 to 36 ASCII letters, digits or underscores (the API identifier of the AWS contract dimension)")
	}
	return fe.Err()
}

// ListPlanLinks returns the SaaS's links ordered by plan name (byte order). A link whose pricing
// plan has been deleted since is left out: it links nothing.
func (s *Service) ListPlanLinks(ctx context.Context, saasID string) (out []PlanLink, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		links, err := tx.AWSPlanLinks(ctx, saasID)
		if err != nil || len(links) == 0 {
			out = links
			return err
		}
		ids := make([]string, 0, len(links))
		for _, l := range links {
			if !slices.Contains(ids, l.PlanID) {
				ids = append(ids, l.PlanID)
			}
		}
		existing, err := tx.PricingPlanIDs(ctx, saasID, ids...)
		if err != nil {
			return err
		}
		out = slices.DeleteFunc(links, func(l PlanLink) bool { return !slices.Contains(existing, l.PlanID) })
		// Byte order, the same on every database whatever its collation.
		slices.SortFunc(out, func(a, b PlanLink) int { return strings.Compare(a.PlanName, b.PlanName) })
		return nil
	})
	if out == nil {
		out = []PlanLink{}
	}
	return out, err
}

// GetPlanLink returns the link of an AWS plan name. It is not found when
// nothing is linked under that name, or when the linked pricing plan has
// been deleted since.
func (s *Service) GetPlanLink(ctx context.Context, saasID, planName string) (l PlanLink, err error) {
	if !ValidPlanName(planName) {
		return PlanLink{}, planNotLinked(planName)
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		l, err = tx.AWSPlanLink(ctx, saasID, planName)
		if errors.Is(err, errs.ErrNotExist) {
			return planNotLinked(planName)
		}
		if err != nil {
			return err
		}
		ids, err := tx.PricingPlanIDs(ctx, saasID, l.PlanID)
		if err == nil && len(ids) == 0 {
			return planNotLinked(planName)
		}
		return err
	})
	return l, err
}

func planNotLinked(planName string) error {
	return errs.NotFound("no pricing plan is linked to the AWS plan name %q", planName)
}

// PlanFor resolves an AWS plan name (a contract dimension) to the id of the
// pricing plan linked to it. The error is of kind errs.KindNotFound when
// the name is not linked or the linked plan no longer exists.
func (s *Service) PlanFor(ctx context.Context, saasID, planName string) (string, error) {
	l, err := s.GetPlanLink(ctx, saasID, planName)
	return l.PlanID, err
}

// SavePlanLink links l.PlanName to l.PlanID, an existing pricing plan of
// the SaaS, replacing an earlier link of the same name. Several names may
// link to one plan.
func (s *Service) SavePlanLink(ctx context.Context, saasID string, l PlanLink) error {
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
		return tx.PutAWSPlanLink(ctx, saasID, l)
	})
}
