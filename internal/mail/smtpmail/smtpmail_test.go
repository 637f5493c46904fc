package smtpmail_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/mail/smtpmail"
)

func TestNew(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://relay.internal":                        "relay.internal:25",
		"smtp://user:pw@mail.example:587?tls=starttls": "mail.example:587",
		"smtps://mail.example":                         "mail.example:465",
		"smtp://[::1]:2525":                            "[::1]:2525",
	} {
		s, err := smtpmail.New(raw)
		if err != nil || s.Addr() != want {
			t.Errorf("New(%q) = %v, %v; want %s", raw, s, err, want)
		}
	}
	for _, raw := range []string{"", "http://mail.example", "smtp://", "smtps://mail.example?tls=starttls", "smtp://mail.example?tls=yes", "::"} {
		if _, err := smtpmail.New(raw); err == nil {
			t.Errorf("New(%q) accepted", raw)
		}
	}
}
