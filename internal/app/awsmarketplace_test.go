package app_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/app"
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

// --aws-endpoint takes "", "emulator" or an http(s) URL; anything else is
// a usage error before the server starts.
func TestAWSEndpointFlag(t *testing.T) {
	for _, v := range []string{"ftp://example.com", "example.com", "http://"} {
		_, err := run(t, nil, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--aws-endpoint", v)
		if !errors.Is(err, app.ErrUsage) {
			t.Errorf("--aws-endpoint %q: err = %v, want a usage error", v, err)
		}
	}
	// SAASPLANE_AWS_ENDPOINT=emulator: the fulfillment URL resolves tokens
	// through this server's own emulator.
	c := saas.Credentials{SaaSID: "mp-emu", APIKey: "mp-emu-key", SecretKey: "mp-emu-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey,
		"SAASPLANE_AWS_ENDPOINT": "emulator"}
	s := serve(t, env, "--data", t.TempDir(), "--addr", "0.0.0.0:0")
	settings := `{"product_code":"prod-app","role_arn":"arn:aws:iam::123456789012:role/seller","role_external_id":"ext-app"}`
	if code, body := do(t, signed(t, c, "PUT", s.url+"/v1/awsmarketplace/settings", []byte(settings), nil)); code != 200 {
		t.Fatalf("PUT settings = %d %s", code, body)
	}
	purchase := `{"product_code":"prod-app","dimension":"basic_month","quantity":1}`
	code, body := do(t, signed(t, c, "POST", s.url+"/aws/marketplace/_emulator/purchases", []byte(purchase), nil))
	var p struct {
		MarketplaceToken string `json:"marketplace_token"`
	}
	if err := json.Unmarshal([]byte(body), &p); code != 201 || err != nil || p.MarketplaceToken == "" {
		t.Fatalf("POST purchase = %d %s", code, body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(s.url+"/awsmarketplace/fulfillment/"+c.SaaSID, url.Values{"x-amzn-marketplace-token": {p.MarketplaceToken}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "registration_token=") {
		t.Fatalf("fulfillment = %d, Location %q; want 303 with a registration token", res.StatusCode, loc)
	}
}

// The aws client commands show a running server's AWS Marketplace
// customers and usage reports, signed as the SaaS of SAASUS_*.
func TestAWSClientCommands(t *testing.T) {
	c := saas.Credentials{SaaSID: "cli-saas", APIKey: "cli-key", SecretKey: "cli-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey}
	s := serve(t, env, "--data", t.TempDir(), "--aws-endpoint", "emulator")
	env["SAASPLANE_SERVER"] = s.url

	out, err := run(t, env, "aws", "customers")
	if err != nil || !strings.HasPrefix(out, "CUSTOMER") {
		t.Fatalf("aws customers = %q, %v", out, err)
	}
	out, err = run(t, env, "aws", "usage-reports", "--json", "--limit", "5")
	if err != nil || strings.TrimSpace(out) != `{"usage_reports":[]}` {
		t.Fatalf("aws usage-reports --json = %q, %v", out, err)
	}
	// Settings are incomplete: the server's refusal is the command's error.
	if _, err := run(t, env, "aws", "report-usage"); err == nil || !strings.Contains(err.Error(), "aws_settings_incomplete") {
		t.Fatalf("aws report-usage = %v, want the server's 409", err)
	}
	for _, args := range [][]string{{"aws"}, {"aws", "nope"}, {"aws", "customers", "--server", "ftp://x"}} {
		if _, err := run(t, env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	delete(env, "SAASUS_SECRET_KEY")
	if _, err := run(t, env, "aws", "customers"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("without credentials: err = %v, want a usage error", err)
	}
}

// CloudFormation reads templates only from Amazon S3: with
// --aws-template-url the launch link points there, and 'aws template'
// prints the template to upload.
func TestAWSTemplateURL(t *testing.T) {
	out, err := run(t, nil, "aws", "template")
	if err != nil || !strings.Contains(out, "AWSTemplateFormatVersion") {
		t.Fatalf("aws template = %.80q, %v", out, err)
	}
	if _, err := run(t, nil, "serve", "--data", t.TempDir(), "--aws-template-url", "http://bucket.s3.amazonaws.com/t.yaml"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("--aws-template-url over http: err = %v, want a usage error", err)
	}
	c := saas.Credentials{SaaSID: "tmpl-saas", APIKey: "tmpl-key", SecretKey: "tmpl-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey,
		"SAASPLANE_AWS_TEMPLATE_URL": "https://my-bucket.s3.amazonaws.com/saasplane/seller.yaml"}
	s := serve(t, env, "--data", t.TempDir())
	_, body := do(t, signed(t, c, "GET", s.url+"/v1/awsmarketplace/cloudformation-launch-stack-link", nil, nil))
	var link struct{ Link string }
	_ = json.Unmarshal([]byte(body), &link)
	_, query, _ := strings.Cut(link.Link, "#/stacks/quickcreate?")
	if q, _ := url.ParseQuery(query); q.Get("templateURL") != env["SAASPLANE_AWS_TEMPLATE_URL"] || q.Get("param_ExternalId") == "" {
		t.Errorf("link %q: want templateURL %s and an external id", link.Link, env["SAASPLANE_AWS_TEMPLATE_URL"])
	}
}
