package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Self-service on the hosted pages, for people who are not signed in:
// signing oneself up (when the SaaS allows it) and resetting a forgotten
// password with a mailed code. Neither tells who has an account: the
// answer is the same whether or not a user has the login, the work done
// is the same but for the mail, and the mail goes only to the address of
// the account.

// TypeSignUpClosed is the error type of a self sign-up to a SaaS that
// does not allow it (sign-in settings' self_regist).
const TypeSignUpClosed = "sign_up_closed"

// SelfSignUp signs an email address up from the hosted page: like
// SignUp, a user with a temporary password, mailed. When the address
// belongs to a user already, nothing is made: one who has not chosen a
// password yet is mailed a new temporary one (the old one stops
// working), one who has is sent nothing. The answer is the same in every
// case. A SaaS that does not allow self sign-up is errs.KindConflict of
// type sign_up_closed.
func (s *Service) SelfSignUp(ctx context.Context, saasID, email string) error {
	si, err := s.SignInSettingsOf(ctx, saasID)
	if err != nil {
		return err
	}
	if !si.SelfSignUp {
		return errs.Conflict("the SaaS does not let people sign themselves up (sign-in settings' self_regist)").WithType(TypeSignUpClosed)
	}
	pol := si.PasswordPolicy
	if err := (NewUser{Email: email}).Validate(pol); err != nil {
		return err
	}
	password, err := pol.GeneratePassword(s.cfg.Random)
	if err != nil {
		return err
	}
	u := User{ID: s.cfg.NewID(), Email: email, Attributes: map[string]any{}, CreatedAt: s.cfg.Now()}
	p, err := s.newPassword(saasID, u.ID, password, pol.temporaryTTL())
	if err != nil {
		return err
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		// The address is looked up first: on PostgreSQL a failed insert
		// would end the transaction.
		existing, old, err := tx.UserCredentials(ctx, saasID, userKey(email), "")
		switch {
		case errors.Is(err, errs.ErrNotExist):
			if err := tx.InsertUser(ctx, saasID, u, p); err != nil {
				return err
			}
		case err != nil || !old.Temporary():
			return err
		default:
			return s.resendTemporary(ctx, tx, saasID, existing, p, password)
		}
		return s.queueTemporaryPassword(ctx, tx, saasID, u, password, TemplateSignUp, PurposeTemporaryPassword, p.TemporaryUntil)
	})
	if errors.Is(err, errs.ErrDuplicate) {
		return nil // a concurrent sign-up of the address made the user and mailed them
	}
	return err
}

// PasswordReset is a pending reset of a forgotten password, stored by
// login key: the user ("" when no user has the login, or theirs has no
// email to mail a code to) and the mailed code's hash.
type PasswordReset struct {
	UserID    string
	CodeHash  SecretHash
	Attempts  int
	ExpiresAt time.Time
}

// ResetCodeTTL is how long a mailed reset code works; MaxResetAttempts
// wrong codes end the reset.
const (
	ResetCodeTTL     = time.Hour
	MaxResetAttempts = 5
)

// RequestPasswordReset mails the user of an email login a 6-digit code,
// valid ResetCodeTTL, that ResetPasswordWithCode takes; a new request
// replaces the pending one. The user's password keeps working meanwhile,
// so that a stranger's request locks nobody out. A sign-in id user has no
// address: they get nothing (their admin resets them). The answer is the
// same for every login.
func (s *Service) RequestPasswordReset(ctx context.Context, saasID, login string) error {
	emailKey, signInKey := loginKey(login)
	key := emailKey + signInKey
	if key == "" || len(key) > MaxEmailLen {
		var fe errs.FieldErrors
		fe.Add("login", "must be an email or a sign-in id")
		return fe.Err()
	}
	code, err := sixDigits(s)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	return s.store.WriteTx(ctx, func(tx Tx) error {
		u, err := tx.UserByLogin(ctx, saasID, emailKey, signInKey)
		if err != nil && !errors.Is(err, errs.ErrNotExist) {
			return err
		}
		r := PasswordReset{CodeHash: HashSecret(code), ExpiresAt: now.Add(ResetCodeTTL)}
		if u.Email != "" {
			r.UserID = u.ID
		}
		if err := tx.SavePasswordReset(ctx, saasID, key, r); err != nil || r.UserID == "" {
			return err
		}
		return s.queueTemplate(ctx, tx, saasID, TemplateForgot, u.Email, PurposePasswordReset,
			map[string]string{"####": code, "until": r.ExpiresAt.UTC().Format(untilLayout)})
	})
}

// ResetPasswordWithCode sets a new password (of the policy; 400 naming
// password) for the login whose mailed code this is, ends every session
// of the user and forgets their failed sign-ins. A wrong, expired or
// unknown code is 400 naming code, and counts as a failed sign-in of the
// login, so the sign-in lock also bounds guessing (429 sign_in_locked);
// MaxResetAttempts wrong codes end the reset.
func (s *Service) ResetPasswordWithCode(ctx context.Context, saasID, login, code, password string) error {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return err
	}
	if err := pol.Check("password", password); err != nil {
		return err
	}
	p, err := s.hashPassword(password, 0)
	if err != nil {
		return err
	}
	emailKey, signInKey := loginKey(login)
	key := emailKey + signInKey
	now := s.cfg.Now()
	wrong := false
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if key == "" || len(key) > MaxEmailLen {
			wrong = true
			return nil
		}
		f, err := tx.SignInFailures(ctx, saasID, key)
		if err != nil {
			return err
		}
		if now.Before(f.LockedUntil) {
			return locked(f.LockedUntil.Sub(now))
		}
		r, err := tx.PasswordReset(ctx, saasID, key)
		switch {
		case errors.Is(err, errs.ErrNotExist):
			wrong = true
			return nil
		case err != nil:
			return err
		case !now.Before(r.ExpiresAt):
			wrong = true
			return tx.DeletePasswordReset(ctx, saasID, key)
		case r.UserID == "" || HashSecret(code) != r.CodeHash:
			wrong = true
			if r.Attempts++; r.Attempts >= MaxResetAttempts {
				return tx.DeletePasswordReset(ctx, saasID, key)
			}
			return tx.SavePasswordReset(ctx, saasID, key, r)
		}
		if err := s.addVerifier(&p, saasID, r.UserID, password); err != nil {
			return err
		}
		for _, step := range []func() error{
			func() error { return tx.SetPassword(ctx, saasID, r.UserID, p) },
			func() error { return tx.DeleteSessions(ctx, saasID, r.UserID) },
			func() error { return tx.ClearSignInFailures(ctx, saasID, key) },
			func() error { return tx.DeletePasswordReset(ctx, saasID, key) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errs.ErrNotExist) { // the user was deleted since the request
		wrong, err = true, nil
	}
	if err != nil || !wrong {
		return err
	}
	if err := s.failSignIn(ctx, saasID, key, now); errs.KindOf(err) != errs.KindUnauthorized {
		return err // locked now, or a store failure
	}
	var fe errs.FieldErrors
	fe.Add("code", "is not the code that was mailed, or it expired (after %d wrong codes, ask for a new one)", MaxResetAttempts)
	return fe.Err()
}

// sixDigits draws a code to mail.
func sixDigits(s *Service) (string, error) {
	n, err := rand.Int(s.cfg.Random, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
