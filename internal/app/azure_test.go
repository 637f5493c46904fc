package app

import "testing"

func TestAzureMarketplaceClientEndpoints(t *testing.T) {
	for _, ok := range []string{"", AzureEmulatorEndpoint, "http://127.0.0.1:8080", "https://saasplane.example/"} {
		if _, err := azureMarketplaceClient(ok, "http://127.0.0.1:1"); err != nil {
			t.Errorf("--azure-endpoint %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"ftp://x", "marketplaceapi.microsoft.com", "http://"} {
		if _, err := azureMarketplaceClient(bad, "http://127.0.0.1:1"); err == nil {
			t.Errorf("--azure-endpoint %q accepted", bad)
		}
	}
}
