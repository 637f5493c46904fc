package identity

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// Settings are a SaaS's user-pool settings that its admins change through
// /v1/auth/auth-info and /v1/auth/basic-info. Zero fields are unset.
type Settings struct {
	// CallbackURL is where the hosted sign-in page sends a signed-in
	// user, with ?code=: the only place it ever redirects to.
	CallbackURL string
	// DomainName is the SaaS's own domain, for its people to read;
	// saasplane serves the pages under its public URL whatever it says.
	DomainName string
	// FromEmail and ReplyEmail head the mail sent to the SaaS's users.
	FromEmail, ReplyEmail string
	// SignIn is the JSON of the SaaS's SignInSettings, Pages of its
	// PageSettings, Messages of its Templates ("" for the defaults).
	SignIn, Pages, Messages string
	// PoolSecret (hex) keys the stand-in salts of SRP sign-ins for logins
	// no user has (srpsignin.go): made at the first, never changed, never
	// shown. Saving settings with it "" keeps the stored one.
	PoolSecret string
}

// Limits of settings.
const MaxURLLen = 2048

// ValidateCallbackURL checks a callback URL: absolute http or https, with
// a host, no user info and no fragment (the code is added to the query).
func ValidateCallbackURL(fe *errs.FieldErrors, field, v string) {
	u, err := url.Parse(v)
	switch {
	case len(v) > MaxURLLen:
		fe.Add(field, "must be at most %d characters", MaxURLLen)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "":
		fe.Add(field, "must be an absolute http or https URL, like https://app.example.com/callback")
	case u.User != nil:
		fe.Add(field, "must not carry a user name or password")
	case u.Fragment != "" || strings.Contains(v, "#"):
		fe.Add(field, "must not have a fragment (#...): the code is sent in the query")
	}
}

var domainName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// validateBasicInfo checks the fields that PUT /basic-info sets.
func (s Settings) validateBasicInfo() error {
	var fe errs.FieldErrors
	if len(s.DomainName) > 253 || !domainName.MatchString(s.DomainName) {
		fe.Add("domain_name", "must be a domain name like example.com")
	}
	fe.Email("from_email_address", s.FromEmail, MaxEmailLen)
	if s.ReplyEmail != "" {
		fe.Email("reply_email_address", s.ReplyEmail, MaxEmailLen)
	}
	return fe.Err()
}

// Settings returns the SaaS's settings (all unset until changed).
func (s *Service) Settings(ctx context.Context, saasID string) (st Settings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = tx.Settings(ctx, saasID)
		return err
	})
	return st, err
}

// SetCallbackURL sets where the hosted sign-in page redirects.
func (s *Service) SetCallbackURL(ctx context.Context, saasID, callback string) error {
	var fe errs.FieldErrors
	ValidateCallbackURL(&fe, "callback_url", callback)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.updateSettings(ctx, saasID, func(st *Settings) { st.CallbackURL = callback })
}

// SetBasicInfo sets the SaaS's domain name and mail addresses.
func (s *Service) SetBasicInfo(ctx context.Context, saasID string, in Settings) error {
	if err := in.validateBasicInfo(); err != nil {
		return err
	}
	return s.updateSettings(ctx, saasID, func(st *Settings) {
		st.DomainName, st.FromEmail, st.ReplyEmail = in.DomainName, in.FromEmail, in.ReplyEmail
	})
}

func (s *Service) updateSettings(ctx context.Context, saasID string, change func(*Settings)) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		st, err := tx.Settings(ctx, saasID)
		if err != nil {
			return err
		}
		change(&st)
		return tx.SaveSettings(ctx, saasID, st)
	})
}

// DefaultDomain is the host the hosted pages are served on: that of the
// server's public URL.
func (s *Service) DefaultDomain() string {
	u, err := url.Parse(s.cfg.IssuerBase)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Page is what the hosted pages of a SaaS show and do: its name, how
// they look, and where a sign-in goes.
type Page struct {
	SaaSID      string
	SaaSName    string
	CallbackURL string // "" when unset
	Look        PageSettings
	SelfSignUp  bool           // the sign-up page is open
	Policy      PasswordPolicy // what a new password must meet
}

// Page returns the hosted pages' view of a SaaS; an unknown SaaS is not
// found.
func (s *Service) Page(ctx context.Context, saasID string) (p Page, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if p.SaaSName, err = tx.SaaSName(ctx, saasID); err != nil {
			return err
		}
		st, err := tx.Settings(ctx, saasID)
		if err != nil {
			return err
		}
		p.SaaSID, p.CallbackURL = saasID, st.CallbackURL
		si, err := decodeSignInSettings(st.SignIn)
		if err != nil {
			return err
		}
		p.SelfSignUp, p.Policy = si.SelfSignUp, si.PasswordPolicy
		p.Look, err = decodePageSettings(st.Pages)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return p, errs.NotFound("no SaaS %q", saasID)
	}
	return p, err
}
