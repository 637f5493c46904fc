package identity

import (
	"context"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/mail"
)

// The mail a user pool sends. Every message is queued in the transaction
// of the change it tells about, so that a user is never told of a
// password that was not stored, nor left without the mail of one that was.

// Mail purposes.
const (
	PurposeTemporaryPassword = "temporary_password" // a new user, sign-up, a resend
	PurposePasswordReset     = "password_reset"     // an admin's reset (a temporary password), a forgotten one (a code)
	PurposeInvitation        = "invitation"
	PurposeEmailChange       = "email_change"
)

// queueTemporaryPassword mails a user their temporary password with the
// template named.
func (s *Service) queueTemporaryPassword(ctx context.Context, tx Tx, saasID string, u User, password, template, purpose string, until time.Time) error {
	return s.queueTemplate(ctx, tx, saasID, template, u.Email, purpose, map[string]string{"####": password, "until": until.UTC().Format(untilLayout)})
}

// untilLayout writes the end of a validity in mail.
const untilLayout = "2 January 2006 15:04"

// message is a mail of the SaaS to one address, from its basic-info
// sender (or the server's).
func (s *Service) message(saasID string, st Settings, to, purpose, subject, text string) mail.Message {
	from := st.FromEmail
	if from == "" {
		from = s.cfg.MailFrom
	}
	id := s.cfg.NewID()
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return mail.Message{ID: id, SaaSID: saasID, Purpose: purpose, From: from, ReplyTo: st.ReplyEmail, To: to,
		Subject: subject, Text: text, CreatedAt: s.cfg.Now(), Status: mail.Queued, MessageIDHeader: mail.MessageIDFor(id, domain)}
}
