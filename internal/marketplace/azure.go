package marketplace

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Azure Marketplace, the ISV side: what a SaaS selling through Microsoft's
// commercial marketplace configures (its Entra app and the Fulfillment
// API's base URL), the links from Azure plan ids to pricing plans, and the
// SaaS subscriptions linked to tenants. Calls to Microsoft go through the
// Azure port (internal/marketplace/azuremp), which talks to Microsoft or to
// saasplane's own emulator alike.

// MarketplaceResourceID is the Entra resource (application) id of the
// Marketplace SaaS API: the audience of saasplane's access tokens and the
// appid of the marketplace's webhook tokens.
const MarketplaceResourceID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7"

// AzureSettings are a SaaS's Azure Marketplace settings. Every string is
// empty until set.
type AzureSettings struct {
	// FulfillmentBaseURL overrides where the Fulfillment and metering APIs
	// are called (e.g. "https://marketplaceapi.microsoft.com/api"); empty:
	// where the server's --azure-endpoint points.
	FulfillmentBaseURL string
	// TenantID, ClientID and ClientSecret are the Entra app registered in
	// Partner Center's technical configuration (with the emulator: the
	// identity of GET /azure/_emulator/identity).
	TenantID     string
	ClientID     string
	ClientSecret string // write-only: never returned by the API
}

// AzureCreds are what the Azure port calls with.
type AzureCreds struct {
	BaseURL      string // "" means the port's default
	TenantID     string
	ClientID     string
	ClientSecret string
}

func (st AzureSettings) creds() AzureCreds {
	return AzureCreds{BaseURL: st.FulfillmentBaseURL, TenantID: st.TenantID, ClientID: st.ClientID, ClientSecret: st.ClientSecret}
}

// AzureSettingsUpdate is a partial update of AzureSettings: a nil field
// keeps its stored value, a pointer to "" clears it.
type AzureSettingsUpdate struct {
	FulfillmentBaseURL *string
	TenantID           *string
	ClientID           *string
	ClientSecret       *string
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// Validate checks the shape of every field present; "" clears a field.
func (in AzureSettingsUpdate) Validate() error {
	var fe errs.FieldErrors
	if v := in.FulfillmentBaseURL; v != nil && *v != "" {
		u, err := url.Parse(*v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(*v) > 2048 {
			fe.Add("fulfillment_base_url", "must be an absolute http or https URL without query or fragment (e.g. https://marketplaceapi.microsoft.com/api), or empty for the server's default")
		}
	}
	if v := in.TenantID; v != nil && *v != "" && !guidRE.MatchString(*v) {
		fe.Add("tenant_id", "must be the Entra tenant id, a GUID, or empty to clear it")
	}
	if v := in.ClientID; v != nil && *v != "" && !guidRE.MatchString(*v) {
		fe.Add("client_id", "must be the Entra application (client) id, a GUID, or empty to clear it")
	}
	if v := in.ClientSecret; v != nil && len(*v) > 1024 {
		fe.Add("client_secret", "must be at most 1024 characters")
	}
	return fe.Err()
}

func (in AzureSettingsUpdate) apply(s AzureSettings) AzureSettings {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.FulfillmentBaseURL, in.FulfillmentBaseURL)
	s.FulfillmentBaseURL = strings.TrimRight(s.FulfillmentBaseURL, "/")
	set(&s.TenantID, in.TenantID)
	set(&s.ClientID, in.ClientID)
	set(&s.ClientSecret, in.ClientSecret)
	return s
}

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

// ---- settings ----

func (s *Service) azureSettings(ctx context.Context, saasID string) (st AzureSettings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = tx.AzureSettings(ctx, saasID)
		return saasNotFound(err, saasID)
	})
	return st, err
}

// GetAzureSettings returns the SaaS's Azure settings; unset values are empty.
func (s *Service) GetAzureSettings(ctx context.Context, saasID string) (AzureSettings, error) {
	return s.azureSettings(ctx, saasID)
}

// UpdateAzureSettings changes the fields present in in and keeps the others.
func (s *Service) UpdateAzureSettings(ctx context.Context, saasID string, in AzureSettingsUpdate) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		st, err := tx.AzureSettings(ctx, saasID)
		if err != nil {
			return saasNotFound(err, saasID)
		}
		return tx.PutAzureSettings(ctx, saasID, in.apply(st))
	})
}

// AzureWebhookURL is the URL to register as the offer's connection webhook
// in Partner Center (or PUT /azure/_emulator/webhook).
func AzureWebhookURL(publicURL, saasID string) string {
	return strings.TrimRight(publicURL, "/") + "/azuremarketplace/webhook/" + url.PathEscape(saasID)
}

// azureReady returns the settings when the SaaS can call the marketplace.
func (s *Service) azureReady(ctx context.Context, saasID string) (AzureSettings, error) {
	st, err := s.azureSettings(ctx, saasID)
	if err != nil {
		return st, err
	}
	if s.azure == nil {
		return st, errs.E(errs.KindUnavailable, "this server has no Azure Marketplace client configured")
	}
	if st.TenantID == "" || st.ClientID == "" || st.ClientSecret == "" {
		return st, errs.Conflict("the Azure Marketplace settings need tenant_id, client_id and client_secret: PUT /v1/azuremarketplace/settings first").WithType("azure_settings_incomplete")
	}
	return st, nil
}

// ---- plan links ----

// ListAzurePlanLinks returns the links ordered by Azure plan id (byte
// order); links whose pricing plan was deleted are left out.
func (s *Service) ListAzurePlanLinks(ctx context.Context, saasID string) (out []AzurePlanLink, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := tx.AzureSettings(ctx, saasID); err != nil {
			return saasNotFound(err, saasID)
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
