package saasus_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/saasus"
)

// TestTransportReachesSaasplane: a request built for api.saasus.io, as
// the SDKs build it, reaches a real saasplane through the transport, with
// a signature that verifies there, body and all; the caller's request is
// left as it was.
func TestTransportReachesSaasplane(t *testing.T) {
	s := apitest.NewServer(t, apitest.OpenSQLite(t))
	c := s.NewSaaS(t)
	creds := func() (saasus.Credentials, error) {
		return saasus.Credentials{SaaSID: c.SaaSID, APIKey: c.APIKey, SecretKey: c.Secret}, nil
	}
	rt, err := saasus.Transport(s.URL, nil, creds)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rt}
	body := `{"unit_name":"calls","display_name":"Calls","description":"API calls","aggregate_usage":"sum"}`
	req, _ := http.NewRequest("POST", "https://api.saasus.io/v1/pricing/metering/units", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "SAASUSSIGV1 Sig=made-for-api.saasus.io, SaaSID=x, APIKey=y")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || !strings.Contains(string(b), `"unit_name":"calls"`) {
		t.Fatalf("POST through the transport: %d %s", res.StatusCode, b)
	}
	if req.URL.Host != "api.saasus.io" || !strings.Contains(req.Header.Get("Authorization"), "made-for-api.saasus.io") {
		t.Errorf("the caller's request was changed: %s %v", req.URL, req.Header)
	}
	res, err = client.Get("https://api.saasus.io/v1/pricing/metering/units?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET with a query through the transport: %d", res.StatusCode)
	}
}

// TestTransportLeavesOtherHostsAlone, and refuses bad server URLs and
// missing credentials.
func TestTransportLeavesOtherHostsAlone(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("Authorization"))
	}))
	t.Cleanup(other.Close)
	rt, err := saasus.Transport("http://127.0.0.1:1", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", other.URL, nil)
	req.Header.Set("Authorization", "Bearer mine")
	res, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "Bearer mine" {
		t.Errorf("another host saw Authorization %q", b)
	}
	for _, bad := range []string{"", "ftp://x", "http://", "http://host/v1", "http://host?x=1"} {
		if _, err := saasus.Transport(bad, nil, nil); err == nil {
			t.Errorf("Transport(%q) accepted", bad)
		}
	}
	t.Setenv("SAASUS_SAAS_ID", "")
	req, _ = http.NewRequest("GET", "https://api.saasus.io/v1/auth/userinfo", nil)
	if _, err := rt.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "SAASUS_SAAS_ID") {
		t.Errorf("without credentials: %v", err)
	}
}
