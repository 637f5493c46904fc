package aws

import (
	"context"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// ListingStatus is how far the seller has got with the AWS Marketplace
// listing, as recorded by the console wizard.
type ListingStatus string

// The listing statuses of the SaaSus AWS Marketplace API, in wizard order.
const (
	ListingNoListing             ListingStatus = "no_listing"
	ListingFirstStepWorking      ListingStatus = "first_step_working"
	ListingFirstStepCompleted    ListingStatus = "first_step_completed"
	ListingSecondStepWorking     ListingStatus = "second_step_working"
	ListingSecondStepPlanCreated ListingStatus = "second_step_plan_created"
	ListingSecondStepCompleted   ListingStatus = "second_step_completed"
	ListingThirdStepWorking      ListingStatus = "third_step_working"
	ListingThirdStepCompleted    ListingStatus = "third_step_completed"
	ListingLimited               ListingStatus = "limited"
	ListingRestricted            ListingStatus = "restricted"
	ListingPublic                ListingStatus = "public"
)

// ListingStatuses lists every status in wizard order.
var ListingStatuses = []ListingStatus{
	ListingNoListing, ListingFirstStepWorking, ListingFirstStepCompleted,
	ListingSecondStepWorking, ListingSecondStepPlanCreated, ListingSecondStepCompleted,
	ListingThirdStepWorking, ListingThirdStepCompleted,
	ListingLimited, ListingRestricted, ListingPublic,
}

// Valid reports whether s is one of ListingStatuses.
func (s ListingStatus) Valid() bool {
	for _, v := range ListingStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Visibility is the AWS catalog visibility of the product. The values are
// capitalised, as AWS writes them.
type Visibility string

// The visibilities of an AWS Marketplace catalog entity.
const (
	VisibilityLimited    Visibility = "Limited"
	VisibilityRestricted Visibility = "Restricted"
	VisibilityPublic     Visibility = "Public"
)

// Visibility derives the catalog visibility from the listing status.
// saasplane does not ask AWS: the last three statuses name a visibility,
// and a product that has not got that far is only visible to the seller
// and allow-listed accounts, which AWS calls Limited.
func (s ListingStatus) Visibility() Visibility {
	switch s {
	case ListingRestricted:
		return VisibilityRestricted
	case ListingPublic:
		return VisibilityPublic
	default:
		return VisibilityLimited
	}
}

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
			return marketplace.SaaSNotFound(err, saasID)
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
