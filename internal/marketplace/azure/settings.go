package azure

import (
	"context"
	"net/url"
	"regexp"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

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

func (s *Service) azureSettings(ctx context.Context, saasID string) (st AzureSettings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = tx.AzureSettings(ctx, saasID)
		return marketplace.SaaSNotFound(err, saasID)
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
			return marketplace.SaaSNotFound(err, saasID)
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
