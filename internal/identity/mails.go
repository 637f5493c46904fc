package identity

import (
	"context"
	"fmt"
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
	PurposePasswordReset     = "password_reset"
	PurposeInvitation        = "invitation"
	PurposeEmailChange       = "email_change"
)

// queueTemporaryPassword mails a user their temporary password.
func (s *Service) queueTemporaryPassword(ctx context.Context, tx Tx, saasID string, u User, password, purpose string, until time.Time) error {
	name, err := tx.SaaSName(ctx, saasID)
	if err != nil {
		return err
	}
	st, err := tx.Settings(ctx, saasID)
	if err != nil {
		return err
	}
	subject := "Your temporary password for " + name
	intro := "An account was made for you at " + name + "."
	if purpose == PurposePasswordReset {
		subject = "Your new temporary password for " + name
		intro = "Your password at " + name + " was reset."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s Sign in with this temporary password:\n\n    %s\n\n", intro, password)
	fmt.Fprintf(&b, "You will choose a password of your own when you sign in. The temporary one works until %s (UTC).\n\n",
		until.UTC().Format("2 January 2006 15:04"))
	fmt.Fprintf(&b, "Sign in: %s/sign-in\n\nIf you did not expect this mail, you can ignore it.\n", s.Issuer(saasID))
	return tx.QueueMail(ctx, s.message(saasID, st, u.Email, purpose, subject, b.String()))
}

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
