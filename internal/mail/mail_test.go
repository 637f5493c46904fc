package mail_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/idgen"
	mailpkg "github.com/saasplane/saasplane/internal/mail"
	"github.com/saasplane/saasplane/internal/mail/smtpmail"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

func TestRender(t *testing.T) {
	m := mailpkg.Message{ID: "m1", From: "hello@acme.example", ReplyTo: "help@acme.example", To: "dee@example.com",
		Subject: "Ihr Passwort für Acme ✓", Text: "Zeile eins\nZeile zwei mit = und ümlaut\n" + strings.Repeat("x", 100),
		CreatedAt: time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC), MessageIDHeader: "<m1@acme.example>"}
	raw, err := mailpkg.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 octets: %q", line)
		}
	}
	parsed, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mimeDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	for k, want := range map[string]string{"From": "<hello@acme.example>", "To": "<dee@example.com>", "Reply-To": "<help@acme.example>",
		"Message-ID": "<m1@acme.example>", "Content-Type": `text/plain; charset="utf-8"`, "Date": "Mon, 07 Dec 2026 01:02:03 +0000"} {
		if got := parsed.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if subject != m.Subject {
		t.Errorf("subject %q, want %q", subject, m.Subject)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != m.Text {
		t.Errorf("body %q, want %q", got, m.Text)
	}
	if _, err := mailpkg.Render(mailpkg.Message{From: "not an address", To: "a@b.example"}); err == nil {
		t.Error("a bad From rendered")
	}
}

// queue makes a user whose temporary password is mailed, and returns the
// message's id.
func queue(t *testing.T, db *store.DB, saasID, email string) string {
	t.Helper()
	id, err := identity.NewService(db.Identity(), identity.Config{IssuerBase: "https://id.example/identity/", Now: time.Now,
		Random: idgen.Crypto(), NewID: uuid.NewString, MailFrom: "no-reply@saasplane.test",
		Argon2: identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := id.CreateUser(t.Context(), saasID, identity.NewUser{Email: email}); err != nil {
		t.Fatal(err)
	}
	ms, err := mailpkg.NewService(db.Mail(), nil, time.Now).List(t.Context(), saasID, 1)
	if err != nil || len(ms) != 1 || ms[0].To != email || ms[0].Status != mailpkg.Queued {
		t.Fatalf("the outbox after a new user: %+v, %v", ms, err)
	}
	return ms[0].ID
}

// TestDeliver: a message is sent once, whatever the number of runs; a
// refused send is recorded and retried; the last attempt fails the
// message; without SMTP it is stored; each SaaS lists only its own.
func TestDeliver(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			a, other := uuid.NewString(), uuid.NewString()
			for _, id := range []string{a, other} {
				if err := db.InsertSaaS(ctx, saas.SaaS{ID: id, Name: "mail " + id[:4], CreatedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			server := apitest.NewSMTPServer(t)
			sender, err := smtpmail.New(server.URL)
			if err != nil {
				t.Fatal(err)
			}
			svc := mailpkg.NewService(db.Mail(), sender, time.Now)
			get := func(id string) mailpkg.Message {
				t.Helper()
				var m mailpkg.Message
				if err := db.Mail().ReadTx(ctx, func(tx mailpkg.Tx) (err error) { m, err = tx.Message(ctx, id); return err }); err != nil {
					t.Fatal(err)
				}
				return m
			}

			id := queue(t, db, a, "ann@example.com")
			server.RefuseNext(1)
			if err := svc.Deliver(ctx, id); err == nil || !strings.Contains(err.Error(), "451") {
				t.Fatalf("a refused send: %v, want the server's 451", err)
			}
			if m := get(id); m.Status != mailpkg.Queued || m.Attempts != 1 || !strings.Contains(m.LastError, "451") || m.LastAttemptAt.IsZero() {
				t.Errorf("after a refusal: %+v", m)
			}
			for range 2 {
				if err := svc.Deliver(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			if m := get(id); m.Status != mailpkg.Sent || m.Attempts != 2 || m.LastError != "" || m.SentAt.IsZero() {
				t.Errorf("after the send: %+v", m)
			}
			if got := server.Received(); len(got) != 1 || got[0].To != "ann@example.com" {
				t.Errorf("the server received %d messages, want 1 to ann", len(got))
			}

			failing := queue(t, db, a, "bob@example.com")
			server.RefuseNext(mailpkg.MaxAttempts)
			for range mailpkg.MaxAttempts {
				_ = svc.Deliver(ctx, failing)
			}
			if m := get(failing); m.Status != mailpkg.Failed || m.Attempts != mailpkg.MaxAttempts {
				t.Errorf("after %d refusals: %+v, want failed", mailpkg.MaxAttempts, m)
			}
			if err := svc.Deliver(ctx, failing); err != nil || get(failing).Attempts != mailpkg.MaxAttempts {
				t.Errorf("a failed message was tried again: %v", err)
			}

			stored := queue(t, db, other, "cy@example.com")
			if err := mailpkg.NewService(db.Mail(), nil, time.Now).Deliver(ctx, stored); err != nil || get(stored).Status != mailpkg.Stored {
				t.Errorf("without SMTP: %v, %+v; want stored", err, get(stored))
			}
			ms, err := svc.List(ctx, other, 10)
			if err != nil || len(ms) != 1 || ms[0].ID != stored {
				t.Errorf("the other SaaS lists %+v, %v", ms, err)
			}
			if err := svc.Deliver(ctx, "no-such-message"); err != nil {
				t.Errorf("an unknown message: %v", err)
			}
		})
	}
}
