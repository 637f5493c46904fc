package mailapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestListMessages: each SaaS reads only its own mail, newest first, and
// a bad limit is 400 naming it.
func TestListMessages(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		s := apitest.NewServer(t, b.DB)
		a, other := s.NewSaaS(t), s.NewSaaS(t)
		for _, email := range []string{"first@example.com", "second@example.com"} {
			a.Do(t, "POST", "/v1/auth/users", map[string]any{"email": email}).Want(t, 201)
		}
		ms := a.Do(t, "GET", "/v1/mail/messages", nil).Want(t, 200).JSON(t)["messages"].([]any)
		if len(ms) != 2 || ms[0].(map[string]any)["to"] != "second@example.com" || ms[0].(map[string]any)["status"] != "queued" {
			t.Errorf("messages %v, want two, newest first, queued (no SMTP, no jobs)", ms)
		}
		if ms := a.Do(t, "GET", "/v1/mail/messages?limit=1", nil).Want(t, 200).JSON(t)["messages"].([]any); len(ms) != 1 {
			t.Errorf("limit=1 answered %d", len(ms))
		}
		if ms := other.Do(t, "GET", "/v1/mail/messages", nil).Want(t, 200).JSON(t)["messages"].([]any); len(ms) != 0 {
			t.Errorf("another SaaS reads %v", ms)
		}
		for _, q := range []string{"limit=0", "limit=1001", "limit=x"} {
			a.Do(t, "GET", "/v1/mail/messages?"+q, nil).WantError(t, 400, "invalid_request", "limit")
		}
	})
}
