package identity

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Changing how a user signs in: an admin sets a new email or sign-in id
// directly; a user changes their own email by confirming a code mailed
// to the new address.

// EmailChange is a user's pending email change.
type EmailChange struct {
	NewEmail  string
	CodeHash  SecretHash
	ExpiresAt time.Time
	Attempts  int // wrong codes tried
}

// Limits of email changes.
const (
	EmailCodeTTL         = 24 * time.Hour
	MaxEmailCodeAttempts = 5
)

// Error types of login changes.
const (
	TypeWrongLoginKind = "wrong_login_kind"
	TypeNoEmailChange  = "no_email_change"
)

// SetEmail replaces an email user's email (admins; no confirmation).
func (s *Service) SetEmail(ctx context.Context, saasID, id, email string) error {
	var fe errs.FieldErrors
	fe.Email("email", email, MaxEmailLen)
	if err := fe.Err(); err != nil {
		return err
	}
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, saasID, id)
		if err != nil {
			return err
		}
		if u.Email == "" {
			return errs.Taken(TypeWrongLoginKind, "email", "user %s signs in with a sign-in id, which has no email to change", id)
		}
		return errs.DuplicateName(tx.SetLogin(ctx, saasID, id, email, ""), "email", "user with the email", email)
	}), id)
}

// SetSignInID replaces a sign-in id user's sign-in id.
func (s *Service) SetSignInID(ctx context.Context, saasID, id, signInID string) error {
	var fe errs.FieldErrors
	if len(signInID) > MaxSignInIDLen || !signInIDPattern.MatchString(signInID) {
		fe.Add("sign_in_id", "must be 1 to %d letters, digits, '_' or '-'", MaxSignInIDLen)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, saasID, id)
		if err != nil {
			return err
		}
		if u.SignInID == "" {
			return errs.Taken(TypeWrongLoginKind, "sign_in_id", "user %s signs in with an email, not a sign-in id", id)
		}
		return errs.DuplicateName(tx.SetLogin(ctx, saasID, id, "", signInID), "sign_in_id", "user with the sign-in id", signInID)
	}), id)
}

// RequestEmailChange mails a 6-digit code to the new address, valid 24
// hours, which ConfirmEmailChange takes. The access token must be the
// user's own; a new request replaces a pending one.
func (s *Service) RequestEmailChange(ctx context.Context, saasID, userID, accessToken, email string) error {
	var fe errs.FieldErrors
	fe.Email("email", email, MaxEmailLen)
	if err := fe.Err(); err != nil {
		return err
	}
	u, err := s.accessTokenOf(ctx, saasID, userID, accessToken)
	if err != nil {
		return err
	}
	if u.Email == "" {
		return errs.Taken(TypeWrongLoginKind, "email", "user %s signs in with a sign-in id, which has no email to change", userID)
	}
	code, err := sixDigits(s)
	if err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if other, err := tx.UserByLogin(ctx, saasID, userKey(email), ""); err == nil && other.ID != userID {
			return errs.Taken("duplicate_name", "email", "a user with the email %q exists", email)
		} else if err != nil && !errors.Is(err, errs.ErrNotExist) {
			return err
		}
		c := EmailChange{NewEmail: email, CodeHash: HashSecret(code), ExpiresAt: s.cfg.Now().Add(EmailCodeTTL)}
		if err := tx.SaveEmailChange(ctx, saasID, userID, c); err != nil {
			return err
		}
		return s.queueTemplate(ctx, tx, saasID, TemplateVerifyAttr, email, PurposeEmailChange,
			map[string]string{"####": code, "until": c.ExpiresAt.UTC().Format(untilLayout)})
	})
}

// ConfirmEmailChange checks the code of the pending change and, when it
// is right, makes the new address the user's email. Five wrong codes, or
// an expired one, end the pending change.
func (s *Service) ConfirmEmailChange(ctx context.Context, saasID, userID, accessToken, code string) error {
	if _, err := s.accessTokenOf(ctx, saasID, userID, accessToken); err != nil {
		return err
	}
	var wrong bool
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		c, err := tx.EmailChange(ctx, saasID, userID)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.Conflict("there is no pending email change: request one first").WithType(TypeNoEmailChange)
		}
		if err != nil {
			return err
		}
		if !s.cfg.Now().Before(c.ExpiresAt) {
			if err := tx.DeleteEmailChange(ctx, saasID, userID); err != nil {
				return err
			}
			wrong = true
			return nil
		}
		if HashSecret(code) != c.CodeHash {
			c.Attempts++
			wrong = true
			if c.Attempts >= MaxEmailCodeAttempts {
				return tx.DeleteEmailChange(ctx, saasID, userID)
			}
			return tx.SaveEmailChange(ctx, saasID, userID, c)
		}
		if err := tx.DeleteEmailChange(ctx, saasID, userID); err != nil {
			return err
		}
		return errs.DuplicateName(tx.SetLogin(ctx, saasID, userID, c.NewEmail, ""), "email", "user with the email", c.NewEmail)
	})
	if err == nil && wrong {
		var fe errs.FieldErrors
		fe.Add("code", "is not the code that was mailed, or it expired (after %d wrong codes, request a new one)", MaxEmailCodeAttempts)
		return fe.Err()
	}
	return err
}
