package azure

import (
	"context"
	"time"
)

// MarketplaceResourceID is the Entra resource (application) id of the
// Marketplace SaaS API: the audience of saasplane's access tokens and the
// appid of the marketplace's webhook tokens.
const MarketplaceResourceID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7"

// AzureCreds are what the Azure port calls with.
type AzureCreds struct {
	BaseURL      string // "" means the port's default
	TenantID     string
	ClientID     string
	ClientSecret string
}

// The v2 subscription statuses.
const (
	AzurePendingFulfillmentStart = "PendingFulfillmentStart"
	AzureSubscribed              = "Subscribed"
	AzureSuspended               = "Suspended"
	AzureUnsubscribed            = "Unsubscribed"
)

// AzureSubscriptionInfo is a SaaS subscription as the Fulfillment API shows it.
type AzureSubscriptionInfo struct {
	ID               string
	Name             string
	OfferID          string
	PlanID           string
	Quantity         int64 // 0: not a per-seat plan
	Status           string
	BeneficiaryEmail string
	BeneficiaryTID   string
	TermStart        string
	TermEnd          string
}

// AzureOperation is an operation as the Fulfillment API shows it.
type AzureOperation struct {
	ID             string
	SubscriptionID string
	Action         string // ChangePlan, ChangeQuantity, Suspend, Reinstate, Renew, Unsubscribe
	PlanID         string
	Quantity       int64
	Status         string // NotStarted, InProgress, Succeeded, Failed, Conflict
	Source         string // Azure or Partner
	TimeStamp      time.Time
}

// needsAck reports whether the operation waits for the publisher's PATCH.
func (op AzureOperation) needsAck() bool {
	return op.Status == "InProgress" && (op.Action == "ChangePlan" || op.Action == "ChangeQuantity")
}

// AzureUsageEvent is one event of the metering API.
type AzureUsageEvent struct {
	ResourceID string
	PlanID     string
	Dimension  string
	Quantity   int64
	Hour       time.Time
}

// AzureUsageResult is the metering API's verdict on one event.
type AzureUsageResult struct {
	Status       string // Accepted, Duplicate, Expired, ResourceNotActive, InvalidDimension...
	UsageEventID string
	Message      string
}

// Azure is what the ISV side needs of the marketplace;
// internal/marketplace/azuremp implements it over HTTP. Errors the caller
// should see are *errs.Error: a bad landing token is KindInvalid, an
// unknown subscription or operation KindNotFound, a refused change
// KindConflict, the marketplace unreachable or failing after retries
// KindUnavailable, credentials refused KindConflict of type
// azure_credentials_rejected.
type Azure interface {
	Resolve(ctx context.Context, c AzureCreds, token string) (AzureSubscriptionInfo, error)
	Activate(ctx context.Context, c AzureCreds, subscriptionID, planID string, quantity int64) error
	GetSubscription(ctx context.Context, c AzureCreds, subscriptionID string) (AzureSubscriptionInfo, error)
	ListSubscriptions(ctx context.Context, c AzureCreds) ([]AzureSubscriptionInfo, error)
	GetOperation(ctx context.Context, c AzureCreds, subscriptionID, operationID string) (AzureOperation, error)
	ListOutstandingOperations(ctx context.Context, c AzureCreds, subscriptionID string) ([]AzureOperation, error)
	// PatchOperation acknowledges an operation: success accepts it,
	// otherwise it is refused.
	PatchOperation(ctx context.Context, c AzureCreds, subscriptionID, operationID string, success bool) error
	// BatchUsage posts up to 25 events; one result per event, in order.
	BatchUsage(ctx context.Context, c AzureCreds, events []AzureUsageEvent) ([]AzureUsageResult, error)
	// VerifyWebhookToken checks the bearer token of a webhook call: signed
	// by the tenant's issuer keys, audience c.ClientID, tid c.TenantID, the
	// marketplace's app, unexpired. Its error is shown to nobody but the log.
	VerifyWebhookToken(ctx context.Context, c AzureCreds, token string) error
}
