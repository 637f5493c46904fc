package mail

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Status is where a message is in its delivery.
type Status string

// The statuses of a message.
const (
	// Queued: waiting for its first or next attempt.
	Queued Status = "queued"
	// Sent: the SMTP server accepted it.
	Sent Status = "sent"
	// Stored: kept for reading only, as no SMTP server is configured.
	Stored Status = "stored"
	// Failed: every attempt failed; LastError says why.
	Failed Status = "failed"
)

// Message is one mail to one person.
type Message struct {
	ID, SaaSID string
	// Purpose says what the mail is for, e.g. "temporary_password".
	Purpose         string
	From, ReplyTo   string
	To              string
	Subject, Text   string
	CreatedAt       time.Time
	Status          Status
	Attempts        int
	LastError       string
	SentAt          time.Time // zero until sent
	LastAttemptAt   time.Time // zero before the first attempt
	MessageIDHeader string    // the Message-ID, the same on every attempt
}

// MessageIDFor is the Message-ID header of message id, at domain.
func MessageIDFor(id, domain string) string { return "<" + id + "@" + domain + ">" }

// Render is the message as RFC 5322 bytes: plain text in UTF-8, quoted
// printable, with encoded headers.
func Render(m Message) ([]byte, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("mail %s: from %q: %w", m.ID, m.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("mail %s: to %q: %w", m.ID, m.To, err)
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	if m.ReplyTo != "" {
		if rt, err := mail.ParseAddress(m.ReplyTo); err == nil {
			header("Reply-To", rt.String())
		}
	}
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", m.CreatedAt.UTC().Format(time.RFC1123Z))
	header("Message-ID", m.MessageIDHeader)
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="utf-8"`)
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
