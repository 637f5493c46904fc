package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// SignInSettings are a SaaS's rules for its users' passwords and
// sign-ins (upstream's sign-in settings). The password policy is in
// force everywhere a password is set; SelfSignUp (upstream's
// self_regist.enable) opens the hosted sign-up page. The other settings
// have one value saasplane serves.
type SignInSettings struct {
	PasswordPolicy PasswordPolicy `json:"password_policy"`
	SelfSignUp     bool           `json:"self_sign_up,omitempty"`
	// MFARequired (upstream's mfa_configuration "on", which upstream
	// does not serve yet) makes every sign-in ask for an authenticator
	// app's code, setting one up first for a user who has none.
	MFARequired bool `json:"mfa_required,omitempty"`
}

// DefaultSignInSettings are a new SaaS's.
var DefaultSignInSettings = SignInSettings{PasswordPolicy: DefaultPasswordPolicy}

// Bounds of the password policy (Amazon Cognito's).
const (
	MinPolicyLength, MaxPolicyLength = 6, 99
	MaxTemporaryPasswordDays         = 365
)

// Validate checks a password policy as set.
func (p PasswordPolicy) Validate() error {
	var fe errs.FieldErrors
	if p.MinLength < MinPolicyLength || p.MinLength > MaxPolicyLength {
		fe.Add("password_policy.minimum_length", "must be from %d to %d", MinPolicyLength, MaxPolicyLength)
	}
	if p.TemporaryPasswordValidityDays < 1 || p.TemporaryPasswordValidityDays > MaxTemporaryPasswordDays {
		fe.Add("password_policy.temporary_password_validity_days", "must be from 1 to %d", MaxTemporaryPasswordDays)
	}
	return fe.Err()
}

// temporaryTTL is how long a temporary password of the policy signs in.
func (p PasswordPolicy) temporaryTTL() time.Duration {
	return time.Duration(p.TemporaryPasswordValidityDays) * 24 * time.Hour
}

// decodeSignInSettings reads stored settings ("" is the defaults).
func decodeSignInSettings(raw string) (SignInSettings, error) {
	if raw == "" {
		return DefaultSignInSettings, nil
	}
	st := DefaultSignInSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, fmt.Errorf("stored sign-in settings: %w", err)
	}
	return st, nil
}

// SignInSettingsOf returns the SaaS's sign-in settings.
func (s *Service) SignInSettingsOf(ctx context.Context, saasID string) (SignInSettings, error) {
	st, err := s.Settings(ctx, saasID)
	if err != nil {
		return SignInSettings{}, err
	}
	return decodeSignInSettings(st.SignIn)
}

// SetSignInSettings replaces the SaaS's sign-in settings. A new password
// policy applies to passwords set from then on; stored ones keep working.
// SelfSignUp opens or closes the hosted sign-up page at once.
func (s *Service) SetSignInSettings(ctx context.Context, saasID string, in SignInSettings) error {
	if err := in.PasswordPolicy.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return s.updateSettings(ctx, saasID, func(st *Settings) { st.SignIn = string(b) })
}

// policy is the SaaS's password policy, read in tx.
func policyIn(ctx context.Context, tx Tx, saasID string) (PasswordPolicy, error) {
	st, err := tx.Settings(ctx, saasID)
	if err != nil {
		return PasswordPolicy{}, err
	}
	si, err := decodeSignInSettings(st.SignIn)
	return si.PasswordPolicy, err
}

// passwordPolicy is the SaaS's password policy.
func (s *Service) passwordPolicy(ctx context.Context, saasID string) (p PasswordPolicy, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		p, err = policyIn(ctx, tx, saasID)
		return err
	})
	return p, err
}
