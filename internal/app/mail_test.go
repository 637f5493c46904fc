package app_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/saas"
)

func credentialsOf(t *testing.T, dir string) saas.Credentials {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c saas.Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMailOverSMTPAndOffline: with --smtp-url a new user's temporary
// password reaches the SMTP server through the background job; the
// outbox shows it sent, through `saasplane mail list` and /v1/mail. A bad
// --smtp-url stops serve before it starts.
func TestMailOverSMTPAndOffline(t *testing.T) {
	smtp := apitest.NewSMTPServer(t)
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir, "--smtp-url", smtp.URL, "--job-poll-interval", "50ms")
	c := credentialsOf(t, dir)
	if code, body := do(t, signed(t, c, "POST", s.url+"/v1/auth/users", []byte(`{"email":"ann@example.com"}`), nil)); code != 201 {
		t.Fatalf("create user: %d %s", code, body)
	}
	m := smtp.WaitFor(t, "ann@example.com", "temporary password")
	if m.From != "no-reply@localhost" || !strings.Contains(m.Text, s.url+"/identity/"+c.SaaSID+"/sign-in") {
		t.Errorf("mail from %s:\n%s", m.From, m.Text)
	}
	var listed struct {
		Messages []struct{ To, Status, Text string } `json:"messages"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, err := run(t, nil, "mail", "list", "--json", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &listed); err != nil {
			t.Fatalf("mail list --json: %v\n%s", err, out)
		}
		if len(listed.Messages) == 1 && listed.Messages[0].Status == "sent" || time.Now().After(deadline) {
			break
		}
	}
	if len(listed.Messages) != 1 || listed.Messages[0].To != "ann@example.com" || listed.Messages[0].Status != "sent" || listed.Messages[0].Text != m.Text {
		t.Errorf("mail list: %+v", listed.Messages)
	}
	table, err := run(t, nil, "mail", "list", "--saas", c.SaaSID, "--data", dir)
	if err != nil || !strings.HasPrefix(table, "CREATED") || !strings.Contains(table, "ann@example.com") || !strings.Contains(table, "sign-in") {
		t.Errorf("mail list = %v\n%s", err, table)
	}
	if code, body := do(t, signed(t, c, "GET", s.url+"/v1/mail/messages?limit=5", nil, nil)); code != 200 || !strings.Contains(body, `"status":"sent"`) {
		t.Errorf("GET /v1/mail/messages = %d %s", code, body)
	}

	for _, args := range [][]string{{"mail"}, {"mail", "send"}, {"mail", "list", "--limit", "0"}} {
		if _, err := run(t, nil, append(args, "--data", dir)...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("Run(%v) = %v, want a usage error", args, err)
		}
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "smtps://mail.example?tls=starttls"} {
		if _, err := run(t, nil, "serve", "--data", t.TempDir(), "--smtp-url", bad); err == nil || !strings.Contains(err.Error(), "smtp-url") {
			t.Errorf("serve --smtp-url %s = %v, want an error about smtp-url", bad, err)
		}
	}
}
