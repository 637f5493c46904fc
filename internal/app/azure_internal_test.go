package app

import "testing"

// --azure-endpoint: "" is Microsoft, "emulator" this server, an http(s)
// URL another saasplane; anything else is refused.
func TestAzureMarketplaceClientEndpoint(t *testing.T) {
	const self = "http://127.0.0.1:8080"
	for _, tc := range []struct {
		endpoint, wantJWKS string
		wantErr            bool
	}{
		{"", "https://login.microsoftonline.com/t/discovery/v2.0/keys", false},
		{"emulator", self + "/azure/t/discovery/v2.0/keys", false},
		{"https://saasplane.example/", "https://saasplane.example/azure/t/discovery/v2.0/keys", false},
		{"ftp://saasplane.example", "", true},
		{"saasplane.example", "", true},
	} {
		c, err := azureMarketplaceClient(tc.endpoint, self)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err %v, want error %v", tc.endpoint, err, tc.wantErr)
			continue
		}
		if err == nil && c.JWKSURL("t") != tc.wantJWKS {
			t.Errorf("%q: keys at %s, want %s", tc.endpoint, c.JWKSURL("t"), tc.wantJWKS)
		}
	}
}
