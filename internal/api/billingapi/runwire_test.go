package billingapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/billingapi"
	"github.com/saasplane/saasplane/internal/billing"
)

// A run without failures has an empty failures array, never null (the
// document says array).
func TestRunWithoutFailuresOnTheWire(t *testing.T) {
	b, err := json.Marshal(billingapi.RunToWire(billing.Run{ID: "r", Period: "2026-10"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"failures":[]`) {
		t.Errorf("run = %s, want \"failures\":[]", b)
	}
}
