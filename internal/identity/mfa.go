package identity

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/saasplane/saasplane/internal/errs"
)

// A user's second factor is a TOTP authenticator app (RFC 6238: SHA-1,
// 6 digits, 30-second steps, as every common app reads it). The app is
// registered in two steps, each with the user's access token: a secret is
// handed out, then confirmed with a code from the app. Once the user's
// MFA preference is on, every sign-in asks for a code after the password.
// A code is accepted one step early or late, and never twice.

// MFA is a user's second factor as stored.
type MFA struct {
	PendingSecret string // handed out, not confirmed yet (base32)
	Secret        string // confirmed (base32); "" when none
	Enabled       bool   // sign-in asks for a code
	LastStep      int64  // the step of the last code accepted
}

// MFAMethod is upstream's name of the only second factor served.
const MFAMethod = "softwareToken"

// TOTP parameters.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// Error types of the second factor.
const (
	TypeMFAFailed = "mfa_code_invalid"
	TypeNoMFA     = "mfa_not_registered"
)

// UseMFA is the short-lived token between the password and the code of a
// sign-in with MFA on.
const UseMFA TokenUse = "mfa_challenge"

// accessTokenOf checks that an access token is live and the user's own.
func (s *Service) accessTokenOf(ctx context.Context, saasID, userID, token string) (User, error) {
	u, err := s.UserOfToken(ctx, saasID, token, UseAccess)
	if err != nil {
		return User{}, err
	}
	if u.ID != userID {
		return User{}, invalidToken("the access token is not this user's")
	}
	return u, nil
}

// CreateSecretCode hands out a new TOTP secret for the user's app, to be
// confirmed with VerifySoftwareToken. The access token must be the
// user's own.
func (s *Service) CreateSecretCode(ctx context.Context, saasID, userID, accessToken string) (string, error) {
	u, err := s.accessTokenOf(ctx, saasID, userID, accessToken)
	if err != nil {
		return "", err
	}
	account := u.Email
	if account == "" {
		account = u.SignInID
	}
	var secret string
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		name, err := tx.SaaSName(ctx, saasID)
		if err != nil {
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: name, AccountName: account, Rand: s.cfg.Random})
		if err != nil {
			return err
		}
		m, err := tx.MFA(ctx, saasID, userID)
		if err != nil {
			return err
		}
		m.PendingSecret, secret = key.Secret(), key.Secret()
		return tx.SaveMFA(ctx, saasID, userID, m)
	})
	return secret, err
}

// VerifySoftwareToken confirms the pending secret with a code from the
// app: it becomes the user's second factor (MFA stays as it was until the
// preference turns it on).
func (s *Service) VerifySoftwareToken(ctx context.Context, saasID, userID, accessToken, code string) error {
	if _, err := s.accessTokenOf(ctx, saasID, userID, accessToken); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		m, err := tx.MFA(ctx, saasID, userID)
		if err != nil {
			return err
		}
		if m.PendingSecret == "" {
			return errs.Conflict("no secret code was handed out: call POST /users/%s/mfa/software-token/secret-code first", userID).WithType(TypeNoMFA)
		}
		step, ok := matchTOTP(m.PendingSecret, code, s.cfg.Now(), 0)
		if !ok {
			var fe errs.FieldErrors
			fe.Add("verification_code", "is not the app's current code")
			return fe.Err()
		}
		m.Secret, m.PendingSecret, m.LastStep = m.PendingSecret, "", step
		return tx.SaveMFA(ctx, saasID, userID, m)
	})
}

// MFAPreference reports whether sign-in asks the user for a code.
func (s *Service) MFAPreference(ctx context.Context, saasID, userID string) (bool, error) {
	var m MFA
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if _, err = tx.User(ctx, saasID, userID); err != nil {
			return err
		}
		m, err = tx.MFA(ctx, saasID, userID)
		return err
	})
	return m.Enabled, userNotFound(err, userID)
}

// SetMFAPreference turns the second factor on or off for the user's
// sign-ins. Turning it on needs a confirmed app; "email" is not served.
func (s *Service) SetMFAPreference(ctx context.Context, saasID, userID string, enabled bool, method string) error {
	var fe errs.FieldErrors
	switch {
	case method != "" && method != MFAMethod:
		fe.Add("method", "must be softwareToken: saasplane does not send codes by email")
	case enabled && method == "":
		fe.Add("method", "is required when enabled is true (softwareToken)")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := tx.User(ctx, saasID, userID); err != nil {
			return err
		}
		m, err := tx.MFA(ctx, saasID, userID)
		if err != nil {
			return err
		}
		if enabled && m.Secret == "" {
			return errs.Conflict("the user has no confirmed authenticator app: register one with the software-token operations first").WithType(TypeNoMFA)
		}
		m.Enabled = enabled
		return tx.SaveMFA(ctx, saasID, userID, m)
	}), userID)
}

// matchTOTP finds the step (within the skew of now) whose code is code,
// after the step last; ok is false when none is.
func matchTOTP(secret, code string, now time.Time, last int64) (step int64, ok bool) {
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	if len(code) != 6 {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		st := current + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), opts)
		if err == nil && st > last && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// mfaChallenge is the token that CompleteMFA takes after a right
// password.
func (s *Service) mfaChallenge(ctx context.Context, saasID, userID string) (string, error) {
	return s.SignToken(ctx, saasID, Token{Use: UseMFA, UserID: userID, SessionID: s.cfg.NewID(), ID: s.cfg.NewID(),
		IssuedAt: s.cfg.Now(), TTL: NewPasswordChallengeTTL})
}

// CompleteMFA answers the MFA challenge of a sign-in with a code from the
// user's app, and opens the session. A wrong code counts as a failed
// sign-in of the user's login (so codes cannot be guessed without the
// lock); a bad challenge is errs.KindUnauthorized.
func (s *Service) CompleteMFA(ctx context.Context, saasID, challenge, code string) (Tokens, error) {
	c, err := s.VerifyToken(ctx, saasID, challenge, UseMFA)
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now()
	var key string
	var f Failures
	var m MFA
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, saasID, c.Subject)
		if err != nil {
			return err
		}
		key = userKey(u.Email) + userKey(u.SignInID)
		if f, err = tx.SignInFailures(ctx, saasID, key); err != nil {
			return err
		}
		m, err = tx.MFA(ctx, saasID, c.Subject)
		return err
	})
	if err != nil {
		return Tokens{}, userNotFound(err, c.Subject)
	}
	if now.Before(f.LockedUntil) {
		return Tokens{}, locked(f.LockedUntil.Sub(now))
	}
	step, ok := matchTOTP(m.Secret, code, now, m.LastStep)
	if !ok || m.Secret == "" {
		if err := s.failSignIn(ctx, saasID, key, now); errs.KindOf(err) != errs.KindUnauthorized {
			return Tokens{}, err // locked now, or a store error
		}
		return Tokens{}, errs.E(errs.KindUnauthorized, "the code is not the authenticator app's current one").WithType(TypeMFAFailed)
	}
	return s.startSession(ctx, saasID, c.Subject, func(tx Tx) error {
		now, err := tx.MFA(ctx, saasID, c.Subject)
		if err != nil {
			return err
		}
		if step <= now.LastStep { // a concurrent sign-in used the code
			return errs.E(errs.KindUnauthorized, "the code was used already").WithType(TypeMFAFailed)
		}
		now.LastStep = step
		if err := tx.SaveMFA(ctx, saasID, c.Subject, now); err != nil {
			return err
		}
		return tx.ClearSignInFailures(ctx, saasID, key)
	})
}
