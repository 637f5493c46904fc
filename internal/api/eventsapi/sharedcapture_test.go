package eventsapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/eventsapi"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/events"
)

// TestEventsWithTheAPILog: with the API log on, the events share its copy
// of the request and response (httpx.Capture), and both record the same
// bodies, redacted alike.
func TestEventsWithTheAPILog(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		cfg := &events.Config{Post: eventsapi.HTTPPoster{Client: &http.Client{Timeout: time.Second}}}
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{EventJobs: true, EventsConfig: cfg, APILog: &apilog.RecorderConfig{}})
		c := srv.NewSaaS(t)
		rc := &receiver{t: t}
		hook := httptest.NewServer(rc)
		t.Cleanup(hook.Close)
		created := c.Do(t, "POST", E+"/webhooks", obj{"url": hook.URL}).Want(t, 201).JSON(t)
		rc.mu.Lock()
		rc.secret = created["secret"].(string)
		rc.mu.Unlock()
		tn := c.Do(t, "POST", "/v1/auth/tenants", obj{"name": "Shared capture", "attributes": obj{}, "back_office_staff_email": "a@b.co"}).Want(t, 201).JSON(t)

		got := rc.waitFor(t, 2)
		var call map[string]any
		if err := json.Unmarshal([]byte(got[1].body["detail"].(map[string]any)["event"].(string)), &call); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(call["request_body"].(string), `"Shared capture"`) || !strings.Contains(call["response_body"].(string), tn["id"].(string)) {
			t.Errorf("the event's call = %v, want the tenant's request and response", call)
		}
		// The webhook's creation answers its secret: redacted in both.
		var first map[string]any
		if err := json.Unmarshal([]byte(got[0].body["detail"].(map[string]any)["event"].(string)), &first); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(first["response_body"].(string), created["secret"].(string)) {
			t.Errorf("the event shows the webhook's secret: %v", first["response_body"])
		}
		if err := srv.APILog.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		logs := c.Do(t, "GET", "/v1/apilog/logs", nil).Want(t, 200).JSON(t)["api_logs"].([]any)
		found := false
		for _, l := range logs {
			e := l.(map[string]any)
			if e["request_method"] == "POST" && e["request_uri"] == "/v1/auth/tenants" {
				found = true
				if e["request_body"] != call["request_body"] || e["response_body"] != call["response_body"] {
					t.Errorf("the API log has %v / %v, the event %v / %v", e["request_body"], e["response_body"], call["request_body"], call["response_body"])
				}
			}
		}
		if !found {
			t.Errorf("the tenant's creation is not in the API log: %v", logs)
		}
	})
}
