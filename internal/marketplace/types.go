// Package marketplace holds saasplane's marketplace integrations. For now it
// owns the AWS Marketplace side of a SaaS that needs no call to AWS: the
// settings the seller pastes in (role, topics, queue), the listing status,
// the links from AWS plan names (contract dimensions) to pricing plans, and
// the CloudFormation template and quick-create link that create the
// seller-side resources. It reaches storage only through the Store
// interface.
package marketplace

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

// AWSSettings are a SaaS's AWS Marketplace settings. Every string is empty
// until set.
type AWSSettings struct {
	ProductCode       string
	RoleARN           string
	RoleExternalID    string
	SNSTopicARN       string
	CASBucketName     string
	CASSNSTopicARN    string
	SellerSNSTopicARN string
	SQSARN            string

	// SignUpURL is where the fulfillment flow sends a buyer, with the
	// registration_token query parameter (saasplane's extension of the
	// settings); empty until set: saasplane's own sign-up page.
	SignUpURL string

	ListingStatus ListingStatus // ListingNoListing until set
	// ExternalID is the sts:ExternalId saasplane generated for the
	// CloudFormation launch link; empty until the link was first asked for.
	ExternalID string
}

// PlanLink links an AWS plan name (the API identifier of a contract
// dimension) to a pricing plan of the same SaaS.
type PlanLink struct {
	PlanName string
	PlanID   string
}
