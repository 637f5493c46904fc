package aws

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace"
)

// Store gives the service transactions over the AWS Marketplace data. Every
// method of Tx is scoped to one SaaS: rows of another SaaS are invisible
// to it.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one SaaS's AWS Marketplace data inside one
// transaction, and reads the pricing plans, meters and usage of the SaaS.
// Missing rows are errs.ErrNotExist.
type Tx interface {
	marketplace.Tx

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

	// PutRegistrationToken stores an issued token by its hash.
	PutRegistrationToken(ctx context.Context, saasID, hash string, t RegistrationToken, at time.Time) error
	// RegistrationToken returns a token by its hash, used or not.
	RegistrationToken(ctx context.Context, saasID, hash string) (RegistrationToken, error)
	// UseRegistrationToken marks an unused token used; errs.ErrNotExist
	// when there is no unused token with that hash.
	UseRegistrationToken(ctx context.Context, saasID, hash string, at time.Time) error

	// AWSCustomer returns a linked buyer by customer identifier.
	AWSCustomer(ctx context.Context, saasID, customerIdentifier string) (AWSCustomer, error)
	// AWSCustomers returns the buyers linked to the given tenants (every
	// buyer when none is given), in any order.
	AWSCustomers(ctx context.Context, saasID string, tenantIDs ...string) ([]AWSCustomer, error)
	// PutAWSCustomer inserts or replaces a buyer's row.
	PutAWSCustomer(ctx context.Context, saasID string, c AWSCustomer) error

	// NotificationSeen reports whether a message id was recorded.
	NotificationSeen(ctx context.Context, saasID, messageID string) (bool, error)
	// RecordNotification records a processed message with its outcome.
	RecordNotification(ctx context.Context, saasID string, n Notification, outcome string, at time.Time) error
	// LastSubscriptionNotification returns when SNS sent the newest
	// subscription-topic message applied to the buyer (zero when none).
	LastSubscriptionNotification(ctx context.Context, saasID, customerIdentifier string) (time.Time, error)

	// PutMeterDimension links a meter to a dimension, replacing its link.
	PutMeterDimension(ctx context.Context, saasID, meterID, dimension string) error
	DeleteMeterDimension(ctx context.Context, saasID, meterID string) error
	// MeterDimensions returns the linked meters, by meter name.
	MeterDimensions(ctx context.Context, saasID string) ([]marketplace.MeterDimension, error)
	// UsageSaaSIDs returns every SaaS with a linked meter.
	UsageSaaSIDs(ctx context.Context) ([]string, error)
	// ReportableCustomers returns the buyers whose usage may be reported:
	// subscribed, leaving, or unsubscribed since since.
	ReportableCustomers(ctx context.Context, saasID string, since time.Time) ([]AWSCustomer, error)
	// ReportedHours returns the hours (Unix seconds) from since on that
	// already have a report for the buyer and dimension.
	ReportedHours(ctx context.Context, saasID, customerIdentifier, dimension string, since time.Time) (map[int64]bool, error)
	// InsertUsageReport writes a report unless its hour already has one.
	InsertUsageReport(ctx context.Context, saasID string, r UsageReport) error
	// PendingUsageReports returns up to limit pending reports that may be
	// tried at now, oldest hour first. (Rounds of one SaaS never overlap,
	// so no other sender reads them meanwhile.)
	PendingUsageReports(ctx context.Context, saasID string, now time.Time, limit int) ([]UsageReport, error)
	// UpdateUsageReport stores a report's outcome; a pending one may be
	// tried again from retryAt.
	UpdateUsageReport(ctx context.Context, saasID string, r UsageReport, retryAt time.Time) error
	// UsageReports returns the newest reports (of one buyer when customer
	// is set), at most limit.
	UsageReports(ctx context.Context, saasID, customer string, limit int) ([]UsageReport, error)
}
