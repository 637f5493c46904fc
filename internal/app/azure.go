package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace/azuremp"
)

// AzureEmulatorEndpoint is the --azure-endpoint value that means this
// server's own emulator.
const AzureEmulatorEndpoint = "emulator"

// azureMarketplaceClient builds saasplane's Azure Marketplace client from
// --azure-endpoint:
//   - "": Microsoft itself (https://marketplaceapi.microsoft.com/api, tokens
//     and signing keys from https://login.microsoftonline.com);
//   - "emulator": this server's own Fulfillment API and token issuer,
//     reached at self;
//   - a URL: the emulator of a saasplane server served there.
//
// A SaaS's fulfillment_base_url setting overrides where its Fulfillment
// and metering calls go.
func azureMarketplaceClient(endpoint, self string) (*azuremp.Client, error) {
	cfg := azuremp.Config{HTTPClient: &http.Client{Timeout: 30 * time.Second}}
	if endpoint == "" {
		return azuremp.New(cfg), nil
	}
	base := self
	if endpoint != AzureEmulatorEndpoint {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--azure-endpoint %q: want %q or an http(s) URL of a saasplane server", endpoint, AzureEmulatorEndpoint)
		}
		base = endpoint
	}
	base = strings.TrimRight(base, "/")
	cfg.FulfillmentURL = base + "/api"
	cfg.Authority = base + "/azure"
	return azuremp.New(cfg), nil
}
