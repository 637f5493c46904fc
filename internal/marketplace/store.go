package marketplace

import (
	"context"
	"time"
)

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

	// MeterID returns the id of the meter named name.
	MeterID(ctx context.Context, saasID, name string) (string, error)
	// PutMeterDimension links a meter to a dimension, replacing its link.
	PutMeterDimension(ctx context.Context, saasID, meterID, dimension string) error
	DeleteMeterDimension(ctx context.Context, saasID, meterID string) error
	// MeterDimensions returns the linked meters, by meter name.
	MeterDimensions(ctx context.Context, saasID string) ([]MeterDimension, error)
	// UsageSaaSIDs returns every SaaS with a linked meter.
	UsageSaaSIDs(ctx context.Context) ([]string, error)
	// ReportableCustomers returns the buyers whose usage may be reported:
	// subscribed, leaving, or unsubscribed since since.
	ReportableCustomers(ctx context.Context, saasID string, since time.Time) ([]AWSCustomer, error)
	// ReportedHours returns the hours (Unix seconds) from since on that
	// already have a report for the buyer and dimension.
	ReportedHours(ctx context.Context, saasID, customerIdentifier, dimension string, since time.Time) (map[int64]bool, error)
	// HourUsage returns the sum (or, with max, the largest) of a counter's
	// entries with from <= ts < to.
	HourUsage(ctx context.Context, saasID, tenantID, meterID string, from, to int64, max bool) (int64, error)
	// InsertUsageReport writes a report unless its hour already has one.
	InsertUsageReport(ctx context.Context, saasID string, r UsageReport) error
	// ClaimUsageReports leases up to limit pending reports whose previous
	// lease ended by now, oldest hour first, until until.
	ClaimUsageReports(ctx context.Context, saasID string, now, until time.Time, limit int) ([]UsageReport, error)
	// UpdateUsageReport stores a report's outcome; a pending one can be
	// claimed again from retryAt.
	UpdateUsageReport(ctx context.Context, saasID string, r UsageReport, retryAt time.Time) error
	// UsageReports returns the newest reports (of one buyer when customer
	// is set), at most limit.
	UsageReports(ctx context.Context, saasID, customer string, limit int) ([]UsageReport, error)

	// AzureSettings returns the SaaS's Azure settings: empty strings when
	// never written, errs.ErrNotExist when there is no such SaaS.
	AzureSettings(ctx context.Context, saasID string) (AzureSettings, error)
	// PutAzureSettings stores every field of s, creating the row if needed.
	PutAzureSettings(ctx context.Context, saasID string, s AzureSettings) error
	// AzureSaaSIDs returns every SaaS whose Azure settings have a tenant id,
	// client id and client secret.
	AzureSaaSIDs(ctx context.Context) ([]string, error)
	// AzurePlanLinks returns every stored link, in any order.
	AzurePlanLinks(ctx context.Context, saasID string) ([]AzurePlanLink, error)
	// AzurePlanLink returns the link of one Azure plan id.
	AzurePlanLink(ctx context.Context, saasID, azurePlanID string) (AzurePlanLink, error)
	// PutAzurePlanLink stores l, replacing the link of the same Azure plan id.
	PutAzurePlanLink(ctx context.Context, saasID string, l AzurePlanLink) error

	// AzureSubscription returns a linked subscription.
	AzureSubscription(ctx context.Context, saasID, subscriptionID string) (AzureSubscription, error)
	// AzureSubscriptions returns the subscriptions linked to the given
	// tenants (every one when none is given), in any order.
	AzureSubscriptions(ctx context.Context, saasID string, tenantIDs ...string) ([]AzureSubscription, error)
	// PutAzureSubscription inserts or replaces a subscription's row.
	PutAzureSubscription(ctx context.Context, saasID string, s AzureSubscription) error
	// AzureOperationSeen reports whether an operation id was recorded.
	AzureOperationSeen(ctx context.Context, saasID, operationID string) (bool, error)
	// RecordAzureOperation records a handled operation (once per id).
	RecordAzureOperation(ctx context.Context, saasID string, r AzureOperationRecord) error
	// AzureOperations returns the newest recorded operations (of one
	// subscription when set), at most limit.
	AzureOperations(ctx context.Context, saasID, subscriptionID string, limit int) ([]AzureOperationRecord, error)

	// PutAzureMeterDimension links a meter to a metering dimension.
	PutAzureMeterDimension(ctx context.Context, saasID, meterID, dimension string) error
	DeleteAzureMeterDimension(ctx context.Context, saasID, meterID string) error
	// AzureMeterDimensions returns the linked meters, by meter name.
	AzureMeterDimensions(ctx context.Context, saasID string) ([]MeterDimension, error)
	// AzureUsageSaaSIDs returns every SaaS with a meter linked to Azure.
	AzureUsageSaaSIDs(ctx context.Context) ([]string, error)
	// AzureReportedHours returns the hours (Unix seconds) from since on
	// that already have a report for the subscription and dimension.
	AzureReportedHours(ctx context.Context, saasID, subscriptionID, dimension string, since time.Time) (map[int64]bool, error)
	// InsertAzureUsageReport writes a report unless its hour has one.
	InsertAzureUsageReport(ctx context.Context, saasID string, r AzureUsageReport) error
	// ClaimAzureUsageReports leases up to limit pending reports whose
	// lease ended by now, oldest hour first, until until.
	ClaimAzureUsageReports(ctx context.Context, saasID string, now, until time.Time, limit int) ([]AzureUsageReport, error)
	// UpdateAzureUsageReport stores a report's outcome; a pending one can
	// be claimed again from retryAt.
	UpdateAzureUsageReport(ctx context.Context, saasID string, r AzureUsageReport, retryAt time.Time) error
	// AzureUsageReports returns the newest reports, at most limit.
	AzureUsageReports(ctx context.Context, saasID, subscriptionID string, limit int) ([]AzureUsageReport, error)
}
