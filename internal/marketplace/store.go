package marketplace

import "context"

// Store gives the service transactions over the marketplace data. Every
// method of Tx is scoped to one SaaS: rows of another SaaS are invisible
// to it.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one SaaS's marketplace data inside one transaction.
// Missing rows are errs.ErrNotExist.
type Tx interface {
	// AWSSettings returns the SaaS's settings: empty strings and
	// ListingNoListing when never written, errs.ErrNotExist when there is
	// no such SaaS.
	AWSSettings(ctx context.Context, saasID string) (AWSSettings, error)
	// PutAWSSettings stores every field of s, creating the row if needed.
	PutAWSSettings(ctx context.Context, saasID string, s AWSSettings) error

	// AWSPlanLinks returns every stored link, in any order.
	AWSPlanLinks(ctx context.Context, saasID string) ([]PlanLink, error)
	// AWSPlanLink returns the link of one plan name.
	AWSPlanLink(ctx context.Context, saasID, planName string) (PlanLink, error)
	// PutAWSPlanLink stores l, replacing the link of the same plan name.
	PutAWSPlanLink(ctx context.Context, saasID string, l PlanLink) error

	// PricingPlanIDs returns those of ids that name a pricing plan of the
	// SaaS, in no particular order.
	PricingPlanIDs(ctx context.Context, saasID string, ids ...string) ([]string, error)
}
