package identity

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// User is a user of a SaaS: someone who signs in to the SaaS's app. A
// user signs in with an email address or with a sign-in id, never both.
type User struct {
	ID       string
	Email    string // "" for a sign-in id user
	SignInID string // "" for an email user
	// Attributes are the user's SaaS-wide attributes.
	Attributes map[string]any
	CreatedAt  time.Time
}

// NewUser is a user to create. Password is optional: a sign-in id user
// without one gets a generated password, returned once; an email user a
// temporary one, mailed, to be replaced at the first sign-in.
type NewUser struct {
	Email, SignInID string
	Password        *string
}

// Limits of user fields.
const (
	MaxEmailLen    = 254
	MaxSignInIDLen = 50
)

var signInIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Validate checks the fields of a new user, and its password against p.
func (u NewUser) Validate(p PasswordPolicy) error {
	var fe errs.FieldErrors
	switch {
	case u.Email == "" && u.SignInID == "":
		fe.Add("email", "either email or sign_in_id is required")
		fe.Add("sign_in_id", "either email or sign_in_id is required")
	case u.Email != "" && u.SignInID != "":
		fe.Add("email", "give email or sign_in_id, not both")
		fe.Add("sign_in_id", "give email or sign_in_id, not both")
	case u.Email != "":
		fe.Email("email", u.Email, MaxEmailLen)
	case len(u.SignInID) > MaxSignInIDLen || !signInIDPattern.MatchString(u.SignInID):
		fe.Add("sign_in_id", "must be 1 to %d letters, digits, '_' or '-'", MaxSignInIDLen)
	}
	if u.Password != nil {
		p.check(&fe, "password", *u.Password)
	}
	return fe.Err()
}

// userKey is how a user's email or sign-in id is compared: without regard
// to case, as people type them.
func userKey(s string) string { return strings.ToLower(s) }

// CreateUser adds a user and returns it, with the generated password when
// it made one for a sign-in id user ("" otherwise). An email user without
// a password is mailed a temporary one.
func (s *Service) CreateUser(ctx context.Context, saasID string, in NewUser) (User, string, error) {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return User{}, "", err
	}
	if err := in.Validate(pol); err != nil {
		return User{}, "", err
	}
	var generated string
	password, ttl := "", time.Duration(0)
	switch {
	case in.Password != nil:
		password = *in.Password
	default:
		if password, err = pol.GeneratePassword(s.cfg.Random); err != nil {
			return User{}, "", err
		}
		if in.Email != "" {
			ttl = pol.temporaryTTL()
		} else {
			generated = password
		}
	}
	u, err := s.insertUser(ctx, saasID, in.Email, in.SignInID, password, ttl, TemplateCreateUser)
	return u, generated, err
}

// insertUser stores a new user; a temporary password (ttl > 0) is mailed
// to them with the template named, in the same transaction.
func (s *Service) insertUser(ctx context.Context, saasID, email, signInID, password string, ttl time.Duration, template string) (User, error) {
	u := User{ID: s.cfg.NewID(), Email: email, SignInID: signInID, Attributes: map[string]any{}, CreatedAt: s.cfg.Now()}
	p, err := s.newPassword(saasID, u.ID, password, ttl)
	if err != nil {
		return User{}, err
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		err := tx.InsertUser(ctx, saasID, u, p)
		if errors.Is(err, errs.ErrDuplicate) {
			if u.Email != "" {
				return errs.DuplicateName(err, "email", "user with the email", u.Email)
			}
			return errs.DuplicateName(err, "sign_in_id", "user with the sign-in id", u.SignInID)
		}
		if err != nil || ttl == 0 {
			return err
		}
		return s.queueTemporaryPassword(ctx, tx, saasID, u, password, template, PurposeTemporaryPassword, p.TemporaryUntil)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// newPassword is what a user's password is stored as: its hash and its
// SRP verifier, temporary for ttl when ttl is positive, else the user's
// own.
func (s *Service) newPassword(saasID, userID, password string, ttl time.Duration) (Password, error) {
	p, err := s.hashPassword(password, ttl)
	if err != nil {
		return Password{}, err
	}
	return p, s.addVerifier(&p, saasID, userID, password)
}

// hashPassword is newPassword without the verifier, for a user whose id
// is known only inside the transaction (addVerifier completes it there).
func (s *Service) hashPassword(password string, ttl time.Duration) (Password, error) {
	hash, err := HashPassword(s.cfg.Random, password, s.cfg.Argon2)
	if err != nil {
		return Password{}, err
	}
	p := Password{Hash: hash}
	if ttl > 0 {
		p.TemporaryUntil = s.cfg.Now().Add(ttl)
	}
	return p, nil
}

// Users returns the SaaS's users, oldest first.
func (s *Service) Users(ctx context.Context, saasID string) (us []User, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		us, err = tx.Users(ctx, saasID)
		return err
	})
	return us, err
}

// User returns one user of the SaaS.
func (s *Service) User(ctx context.Context, saasID, id string) (u User, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		u, err = tx.User(ctx, saasID, id)
		return err
	})
	return u, userNotFound(err, id)
}

// DeleteUser removes a user with their memberships, ending every session
// of theirs first, and returns the user as they were.
func (s *Service) DeleteUser(ctx context.Context, saasID, id string) (info UserInfo, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if info.User, err = tx.User(ctx, saasID, id); err != nil {
			return err
		}
		if info.Tenants, err = tx.Members(ctx, saasID, MemberFilter{UserID: id}); err != nil {
			return err
		}
		if err := tx.DeleteSessions(ctx, saasID, id); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, saasID, id)
	})
	return info, userNotFound(err, id)
}

// SetPassword replaces a user's password and ends every session of
// theirs: whoever signed in with the old one must sign in again. A
// temporary password must be replaced at the next sign-in.
func (s *Service) SetPassword(ctx context.Context, saasID, id, password string, temporary bool) error {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return err
	}
	if err := pol.Check("password", password); err != nil {
		return err
	}
	var ttl time.Duration
	if temporary {
		ttl = pol.temporaryTTL()
	}
	p, err := s.newPassword(saasID, id, password, ttl)
	if err != nil {
		return err
	}
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		if err := tx.SetPassword(ctx, saasID, id, p); err != nil {
			return err
		}
		return tx.DeleteSessions(ctx, saasID, id)
	}), id)
}

// ResetPassword replaces a user's password by a temporary one and ends
// every session of theirs. An email user is mailed the password; a
// sign-in id user, who has no address, gets it returned, to hand over
// (the answer is "" for an email user).
func (s *Service) ResetPassword(ctx context.Context, saasID, id string) (string, error) {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return "", err
	}
	password, err := pol.GeneratePassword(s.cfg.Random)
	if err != nil {
		return "", err
	}
	p, err := s.newPassword(saasID, id, password, pol.temporaryTTL())
	if err != nil {
		return "", err
	}
	var shown string
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, saasID, id)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, saasID, id, p); err != nil {
			return err
		}
		if err := tx.DeleteSessions(ctx, saasID, id); err != nil {
			return err
		}
		if u.Email == "" {
			shown = password
			return nil
		}
		return s.queueTemporaryPassword(ctx, tx, saasID, u, password, TemplateCreateUser, PurposePasswordReset, p.TemporaryUntil)
	})
	return shown, userNotFound(err, id)
}

// SignUp makes a user of an email address and mails them a temporary
// password, as upstream's sign-up does.
func (s *Service) SignUp(ctx context.Context, saasID, email string) (User, error) {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return User{}, err
	}
	if err := (NewUser{Email: email}).Validate(pol); err != nil {
		return User{}, err
	}
	password, err := pol.GeneratePassword(s.cfg.Random)
	if err != nil {
		return User{}, err
	}
	return s.insertUser(ctx, saasID, email, "", password, pol.temporaryTTL(), TemplateSignUp)
}

// ResendSignUp mails a signed-up user who has not signed in yet a new
// temporary password (the old one stops working). A user who has chosen
// a password is errs.KindConflict (already_confirmed); an unknown email
// is not found.
func (s *Service) ResendSignUp(ctx context.Context, saasID, email string) error {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return err
	}
	password, err := pol.GeneratePassword(s.cfg.Random)
	if err != nil {
		return err
	}
	p, err := s.hashPassword(password, pol.temporaryTTL())
	if err != nil {
		return err
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		u, old, err := tx.UserCredentials(ctx, saasID, userKey(email), "")
		if err != nil {
			return err
		}
		if !old.Temporary() {
			return errs.Conflict("the user with email %q has chosen a password already: reset it instead", email).WithType("already_confirmed")
		}
		return s.resendTemporary(ctx, tx, saasID, u, p, password)
	})
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("no user has the email %q", email)
	}
	return err
}

// resendTemporary replaces the temporary password of u, who has not
// chosen one yet, by password (hashed as p, its verifier added here) and
// mails it, in tx.
func (s *Service) resendTemporary(ctx context.Context, tx Tx, saasID string, u User, p Password, password string) error {
	if err := s.addVerifier(&p, saasID, u.ID, password); err != nil {
		return err
	}
	if err := tx.SetPassword(ctx, saasID, u.ID, p); err != nil {
		return err
	}
	return s.queueTemporaryPassword(ctx, tx, saasID, u, password, TemplateSignUp, PurposeTemporaryPassword, p.TemporaryUntil)
}

func userNotFound(err error, id string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("user %q not found", id)
	}
	return err
}
