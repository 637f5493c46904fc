package azure

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace"
)

// Store gives the service transactions over the Azure Marketplace data.
// Every method of Tx is scoped to one SaaS: rows of another SaaS are
// invisible to it.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one SaaS's Azure Marketplace data inside one
// transaction, and reads the pricing plans, meters and usage of the SaaS.
// Missing rows are errs.ErrNotExist.
type Tx interface {
	marketplace.Tx

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
	AzureMeterDimensions(ctx context.Context, saasID string) ([]marketplace.MeterDimension, error)
	// AzureUsageSaaSIDs returns every SaaS with a meter linked to Azure.
	AzureUsageSaaSIDs(ctx context.Context) ([]string, error)
	// AzureReportedHours returns the hours (Unix seconds) from since on
	// that already have a report for the subscription and dimension.
	AzureReportedHours(ctx context.Context, saasID, subscriptionID, dimension string, since time.Time) (map[int64]bool, error)
	// InsertAzureUsageReport writes a report unless its hour has one.
	InsertAzureUsageReport(ctx context.Context, saasID string, r AzureUsageReport) error
	// PendingAzureUsageReports returns up to limit pending reports that
	// may be tried at now, oldest hour first. (Rounds of one SaaS never
	// overlap, so no other sender reads them meanwhile.)
	PendingAzureUsageReports(ctx context.Context, saasID string, now time.Time, limit int) ([]AzureUsageReport, error)
	// UpdateAzureUsageReport stores a report's outcome; a pending one may
	// be tried again from retryAt.
	UpdateAzureUsageReport(ctx context.Context, saasID string, r AzureUsageReport, retryAt time.Time) error
	// AzureUsageReports returns the newest reports, at most limit.
	AzureUsageReports(ctx context.Context, saasID, subscriptionID string, limit int) ([]AzureUsageReport, error)
}
