package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/saas"
)

// TestAWSMarketplaceWiring: serve mounts /v1/awsmarketplace and the seller
// template, and builds their URLs from --public-url.
func TestAWSMarketplaceWiring(t *testing.T) {
	c := saas.Credentials{SaaSID: "mp-saas", APIKey: "mp-key", SecretKey: "mp-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey}
	s := serve(t, env, "--data", t.TempDir(), "--public-url", "https://cp.example.com/")

	code, body := do(t, signed(t, c, "GET", s.url+"/v1/awsmarketplace/settings", nil, nil))
	var settings map[string]string
	if err := json.Unmarshal([]byte(body), &settings); code != 200 || err != nil {
		t.Fatalf("GET settings = %d %s (%v)", code, body, err)
	}
	if got, want := settings["redirect_sign_up_page_function_url"], "https://cp.example.com/awsmarketplace/fulfillment/mp-saas"; got != want {
		t.Errorf("redirect_sign_up_page_function_url = %q, want %q", got, want)
	}

	code, body = do(t, signed(t, c, "GET", s.url+"/v1/awsmarketplace/cloudformation-launch-stack-link", nil, nil))
	var link struct{ Link string }
	if err := json.Unmarshal([]byte(body), &link); code != 200 || err != nil {
		t.Fatalf("GET link = %d %s (%v)", code, body, err)
	}
	_, query, _ := strings.Cut(link.Link, "#/stacks/quickcreate?")
	q, _ := url.ParseQuery(query)
	if got, want := q.Get("templateURL"), "https://cp.example.com/awsmarketplace/cloudformation/mp-saas/template.yaml"; got != want {
		t.Errorf("templateURL = %q, want %q", got, want)
	}

	for _, path := range []string{"/awsmarketplace/cloudformation/mp-saas/template.yaml", "/v1/awsmarketplace/openapi.yaml"} {
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), "openapi:") && !strings.Contains(string(b), "AWSTemplateFormatVersion") {
			t.Errorf("GET %s = %d %.100s", path, res.StatusCode, b)
		}
	}
}
