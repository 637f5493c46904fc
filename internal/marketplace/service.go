package marketplace

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Service is the AWS Marketplace integration of every SaaS: its settings,
// plan links, and the buyers linked to its tenants. Each method takes the
// id of the SaaS that the caller authenticated as; nothing crosses SaaS
// boundaries.
type Service struct {
	store   Store
	newID   func() string
	now     func() time.Time
	log     *slog.Logger
	aws     AWS
	tenants Tenants
	tmplURL string
	azure   Azure
}

// Deps are what a Service works with besides its store.
type Deps struct {
	// NewID returns a fresh random id per call; it makes the external ids
	// of the CloudFormation launch links.
	NewID func() string
	Now   func() time.Time
	Log   *slog.Logger
	// AWS calls AWS Marketplace (or the emulator); nil makes the calls
	// that need it answer 503.
	AWS AWS
	// Tenants gives linked tenants the plans of their AWS contracts.
	Tenants Tenants
	// TemplateURL, when set, is where the launch link points CloudFormation
	// for the seller template (an Amazon S3 URL, the only kind the
	// CloudFormation console reads); otherwise the template saasplane
	// serves itself.
	TemplateURL string
	// Azure calls the Azure Marketplace (or the emulator); nil makes the
	// calls that need it answer 503.
	Azure Azure
}

// NewService builds a Service.
func NewService(store Store, d Deps) *Service {
	return &Service{store: store, newID: d.NewID, now: d.Now, log: d.Log, aws: d.AWS, tenants: d.Tenants, tmplURL: d.TemplateURL, azure: d.Azure}
}

// saasNotFound turns a missing settings row's SaaS into a caller-facing
// error.
func saasNotFound(err error, saasID string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("SaaS %q not found", saasID)
	}
	return err
}

func (s *Service) settings(ctx context.Context, saasID string) (st AWSSettings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = tx.AWSSettings(ctx, saasID)
		return saasNotFound(err, saasID)
	})
	return st, err
}

// ---- settings ----

// GetAWSSettings returns the SaaS's settings; unset values are empty.
func (s *Service) GetAWSSettings(ctx context.Context, saasID string) (AWSSettings, error) {
	return s.settings(ctx, saasID)
}

// UpdateAWSSettings changes the fields present in in and keeps the others.
func (s *Service) UpdateAWSSettings(ctx context.Context, saasID string, in AWSSettingsUpdate) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		st, err := tx.AWSSettings(ctx, saasID)
		if err != nil {
			return saasNotFound(err, saasID)
		}
		return tx.PutAWSSettings(ctx, saasID, in.apply(st))
	})
}

// ---- listing ----

// GetListingStatus returns the recorded listing status, ListingNoListing
// until one is set.
func (s *Service) GetListingStatus(ctx context.Context, saasID string) (ListingStatus, error) {
	st, err := s.settings(ctx, saasID)
	return st.ListingStatus, err
}

// UpdateListingStatus records a listing status. Any status may follow any
// other: the wizard can go back, and a listing can be withdrawn.
func (s *Service) UpdateListingStatus(ctx context.Context, saasID string, status ListingStatus) error {
	if !status.Valid() {
		names := make([]string, len(ListingStatuses))
		for i, v := range ListingStatuses {
			names[i] = string(v)
		}
		var fe errs.FieldErrors
		fe.Add("listing_status", "must be one of %s", strings.Join(names, ", "))
		return fe.Err()
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		st, err := tx.AWSSettings(ctx, saasID)
		if err != nil {
			return saasNotFound(err, saasID)
		}
		st.ListingStatus = status
		return tx.PutAWSSettings(ctx, saasID, st)
	})
}

// GetVisibility returns the catalog visibility that the listing status
// implies (see ListingStatus.Visibility).
func (s *Service) GetVisibility(ctx context.Context, saasID string) (Visibility, error) {
	st, err := s.settings(ctx, saasID)
	return st.ListingStatus.Visibility(), err
}

// ---- plan links ----

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

// ---- CloudFormation ----

// ExternalID returns the SaaS's sts:ExternalId for the seller role,
// generating and storing it on first use; it never changes afterwards.
func (s *Service) ExternalID(ctx context.Context, saasID string) (string, error) {
	st, err := s.ensureExternalID(ctx, saasID)
	return st.ExternalID, err
}

func (s *Service) ensureExternalID(ctx context.Context, saasID string) (AWSSettings, error) {
	st, err := s.settings(ctx, saasID)
	if err != nil || st.ExternalID != "" {
		return st, err
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		st, err = tx.AWSSettings(ctx, saasID)
		if err != nil {
			return saasNotFound(err, saasID)
		}
		if st.ExternalID != "" { // another request was first
			return nil
		}
		st.ExternalID = s.newID()
		return tx.PutAWSSettings(ctx, saasID, st)
	})
	return st, err
}

// LaunchStackLink returns the CloudFormation quick-create link for the
// SaaS's seller resources, with the template served under publicURL.
func (s *Service) LaunchStackLink(ctx context.Context, saasID, publicURL string) (string, error) {
	st, err := s.ensureExternalID(ctx, saasID)
	if err != nil {
		return "", err
	}
	if s.tmplURL != "" {
		return launchStackLink(s.tmplURL, st), nil
	}
	return LaunchStackLink(publicURL, saasID, st), nil
}

// SellerTemplate returns the CloudFormation template of the SaaS's seller
// resources; it is not found when there is no such SaaS.
func (s *Service) SellerTemplate(ctx context.Context, saasID string) ([]byte, error) {
	if _, err := s.settings(ctx, saasID); err != nil {
		return nil, err
	}
	return slices.Clone(sellerTemplate), nil
}
