package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/saas"
)

// TestEventBridgeThroughServe: `serve --aws-endpoint emulator` sends the
// Integration API's events to its own emulator (--eventbridge-endpoint
// follows --aws-endpoint), where the admin listing shows them.
func TestEventBridgeThroughServe(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir, "--aws-endpoint", "emulator")
	defer s.stop(t)
	b, _ := os.ReadFile(filepath.Join(dir, "credentials.json"))
	var c saas.Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"aws_account_id":"123456789012","aws_region":"ap-northeast-1"}`)
	if code, out := do(t, signed(t, c, "PUT", s.url+"/v1/integration/eventbridge/info", body, nil)); code != 200 {
		t.Fatalf("PUT settings = %d %s", code, out)
	}
	if code, out := do(t, signed(t, c, "POST", s.url+"/v1/integration/eventbridge/test-event", nil, nil)); code != 201 {
		t.Fatalf("POST test-event = %d %s", code, out)
	}
	code, out := do(t, signed(t, c, "GET", s.url+"/aws/events/_emulator/events", nil, nil))
	if code != 200 || !strings.Contains(out, `"source":"aws.partner/saasus.io/`+c.SaaSID+`/event"`) ||
		!strings.Contains(out, `"event_bus":"arn:aws:events:ap-northeast-1:123456789012:event-bus/default"`) {
		t.Fatalf("emulator listing = %d %s", code, out)
	}
}
