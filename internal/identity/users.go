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
// without one gets a generated password, returned once.
type NewUser struct {
	Email, SignInID string
	Password        *string
}

// Limits of user fields.
const (
	MaxEmailLen    = 254
	MaxSignInIDLen = 50
)

var signInID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

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
	case len(u.SignInID) > MaxSignInIDLen || !signInID.MatchString(u.SignInID):
		fe.Add("sign_in_id", "must be 1 to %d letters, digits, '_' or '-'", MaxSignInIDLen)
	}
	switch {
	case u.Password != nil:
		p.check(&fe, "password", *u.Password)
	case u.Email != "":
		// Upstream mails a temporary password; saasplane has no mail
		// delivery yet, so it cannot, and says so rather than create a
		// user who can never sign in.
		fe.Add("password", "is required for an email user: saasplane does not send temporary passwords by mail yet")
	}
	return fe.Err()
}

// userKey is how a user's email or sign-in id is compared: without regard
// to case, as people type them.
func userKey(s string) string { return strings.ToLower(s) }

// CreateUser adds a user and returns it, with the generated password when
// it made one ("" otherwise).
func (s *Service) CreateUser(ctx context.Context, saasID string, in NewUser) (User, string, error) {
	if err := in.Validate(DefaultPasswordPolicy); err != nil {
		return User{}, "", err
	}
	var generated string
	password := ""
	if in.Password != nil {
		password = *in.Password
	} else {
		var err error
		if generated, err = DefaultPasswordPolicy.GeneratePassword(s.cfg.Random); err != nil {
			return User{}, "", err
		}
		password = generated
	}
	hash, err := HashPassword(s.cfg.Random, password, s.cfg.Argon2)
	if err != nil {
		return User{}, "", err
	}
	u := User{ID: s.cfg.NewID(), Email: in.Email, SignInID: in.SignInID, Attributes: map[string]any{}, CreatedAt: s.cfg.Now()}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		err := tx.InsertUser(ctx, saasID, u, hash)
		if errors.Is(err, errs.ErrDuplicate) {
			if u.Email != "" {
				return errs.DuplicateName(err, "email", "user with the email", u.Email)
			}
			return errs.DuplicateName(err, "sign_in_id", "user with the sign-in id", u.SignInID)
		}
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	return u, generated, nil
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
// theirs: whoever signed in with the old one must sign in again.
func (s *Service) SetPassword(ctx context.Context, saasID, id, password string) error {
	if err := DefaultPasswordPolicy.Check("password", password); err != nil {
		return err
	}
	hash, err := HashPassword(s.cfg.Random, password, s.cfg.Argon2)
	if err != nil {
		return err
	}
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		if err := tx.SetPasswordHash(ctx, saasID, id, hash); err != nil {
			return err
		}
		return tx.DeleteSessions(ctx, saasID, id)
	}), id)
}

func userNotFound(err error, id string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("user %q not found", id)
	}
	return err
}
