package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCommunicationIsServed: saasplane serve wires the Communication API:
// a user of the SaaS writes a feedback, which the list shows.
func TestCommunicationIsServed(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir)
	c := credentialsOf(t, dir)
	code, body := do(t, signed(t, c, "POST", s.url+"/v1/auth/users", []byte(`{"sign_in_id":"ann"}`), nil))
	var user struct{ ID string }
	if code != 201 || json.Unmarshal([]byte(body), &user) != nil || user.ID == "" {
		t.Fatalf("create user: %d %s", code, body)
	}
	fb := `{"feedback_title":"Dark mode","feedback_description":"Please.","user_id":"` + user.ID + `"}`
	if code, body := do(t, signed(t, c, "POST", s.url+"/v1/communication/feedbacks", []byte(fb), nil)); code != 201 {
		t.Fatalf("create feedback: %d %s", code, body)
	}
	if code, body := do(t, signed(t, c, "GET", s.url+"/v1/communication/feedbacks", nil, nil)); code != 200 || !strings.Contains(body, `"feedback_title":"Dark mode"`) {
		t.Errorf("GET /v1/communication/feedbacks = %d %s", code, body)
	}
}
