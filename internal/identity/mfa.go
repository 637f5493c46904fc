package identity

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"io"
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
// sign-in with MFA on; UseMFASetup the one between the password and the
// first code of an app set up at sign-in.
const (
	UseMFA      TokenUse = "mfa_challenge"
	UseMFASetup TokenUse = "mfa_setup_challenge"
)

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
	setup, err := s.newPendingSecret(ctx, saasID, u)
	return setup.Secret, err
}

// TOTPSetup is a new secret for a user's authenticator app: the secret
// (base32) and its otpauth:// URL, which apps read from a QR code.
type TOTPSetup struct {
	Secret, URL string
}

// totpSetup is the setup of secret for u's app, the SaaS named name.
func totpSetup(name string, u User, secret []byte, random io.Reader) (TOTPSetup, error) {
	account := u.Email
	if account == "" {
		account = u.SignInID
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: name, AccountName: account, Secret: secret, Rand: random})
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL()}, nil
}

// PendingSetup is the app setup that a setup challenge of a sign-in
// asks for, read again (for a page shown anew after a wrong code).
func (s *Service) PendingSetup(ctx context.Context, saasID, challenge string) (TOTPSetup, error) {
	c, err := s.VerifyToken(ctx, saasID, challenge, UseMFASetup)
	if err != nil {
		return TOTPSetup{}, err
	}
	var setup TOTPSetup
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		name, err := tx.SaaSName(ctx, saasID)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, saasID, c.Subject)
		if err != nil {
			return err
		}
		m, err := tx.MFA(ctx, saasID, c.Subject)
		if err != nil || m.PendingSecret == "" {
			return err
		}
		secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(m.PendingSecret)
		if err != nil {
			return err
		}
		setup, err = totpSetup(name, u, secret, s.cfg.Random)
		return err
	})
	return setup, userNotFound(err, c.Subject)
}

// newPendingSecret hands out a new secret for u's app, pending until a
// code of the app confirms it; it replaces an unconfirmed one.
func (s *Service) newPendingSecret(ctx context.Context, saasID string, u User) (TOTPSetup, error) {
	var setup TOTPSetup
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		name, err := tx.SaaSName(ctx, saasID)
		if err != nil {
			return err
		}
		if setup, err = totpSetup(name, u, nil, s.cfg.Random); err != nil {
			return err
		}
		m, err := tx.MFA(ctx, saasID, u.ID)
		if err != nil {
			return err
		}
		m.PendingSecret = setup.Secret
		return tx.SaveMFA(ctx, saasID, u.ID, m)
	})
	return setup, err
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
	c, key, m, now, err := s.secondFactorStep(ctx, saasID, challenge, UseMFA)
	if err != nil {
		return Tokens{}, err
	}
	step, ok := matchTOTP(m.Secret, code, now, m.LastStep)
	if !ok || m.Secret == "" {
		return Tokens{}, s.wrongCode(ctx, saasID, key, now)
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

// needsSecondFactor reports whether a sign-in with a right password goes
// on to a second factor: the user has MFA on, or the SaaS requires MFA
// (sign-in settings' mfa_configuration "on").
func needsSecondFactor(m MFA, required bool) bool { return m.Enabled || required }

// secondFactorChallenge is the challenge that follows u's right password
// when needsSecondFactor: the app's code when u has one (on, or merely
// confirmed while the SaaS requires MFA), else the setup of an app.
func (s *Service) secondFactorChallenge(ctx context.Context, saasID string, u User, m MFA) (SignInResult, error) {
	if m.Enabled || m.Secret != "" {
		challenge, err := s.mfaChallenge(ctx, saasID, u.ID)
		return SignInResult{Challenge: challenge, ChallengeName: ChallengeMFA, UserID: u.ID}, err
	}
	setup, err := s.newPendingSecret(ctx, saasID, u)
	if err != nil {
		return SignInResult{}, err
	}
	challenge, err := s.SignToken(ctx, saasID, Token{Use: UseMFASetup, UserID: u.ID, SessionID: s.cfg.NewID(), ID: s.cfg.NewID(),
		IssuedAt: s.cfg.Now(), TTL: MFASetupTTL})
	return SignInResult{Challenge: challenge, ChallengeName: ChallengeMFASetup, UserID: u.ID, Setup: setup}, err
}

// MFASetupTTL is how long a user has to set up their app at sign-in.
const MFASetupTTL = 10 * time.Minute

// CompleteMFASetup answers the setup challenge of a sign-in with the
// first code of the user's new app: the app becomes their second factor,
// MFA turns on, and the session opens. A wrong code counts as a failed
// sign-in, as in CompleteMFA.
func (s *Service) CompleteMFASetup(ctx context.Context, saasID, challenge, code string) (Tokens, error) {
	c, key, m, now, err := s.secondFactorStep(ctx, saasID, challenge, UseMFASetup)
	if err != nil {
		return Tokens{}, err
	}
	step, ok := matchTOTP(m.PendingSecret, code, now, 0)
	if !ok || m.PendingSecret == "" {
		return Tokens{}, s.wrongCode(ctx, saasID, key, now)
	}
	return s.startSession(ctx, saasID, c.Subject, func(tx Tx) error {
		cur, err := tx.MFA(ctx, saasID, c.Subject)
		if err != nil {
			return err
		}
		if cur.PendingSecret != m.PendingSecret { // another sign-in handed out a new secret
			return errs.E(errs.KindUnauthorized, "a newer setup replaced this one: sign in again").WithType(TypeMFAFailed)
		}
		cur.Secret, cur.PendingSecret, cur.Enabled, cur.LastStep = cur.PendingSecret, "", true, step
		if err := tx.SaveMFA(ctx, saasID, c.Subject, cur); err != nil {
			return err
		}
		return tx.ClearSignInFailures(ctx, saasID, key)
	})
}

// secondFactorStep checks the challenge token of a second-factor step
// (of use) and reads what the step checks: the user's login key and MFA.
// A locked login is refused here.
func (s *Service) secondFactorStep(ctx context.Context, saasID, challenge string, use TokenUse) (c Claims, key string, m MFA, now time.Time, err error) {
	if c, err = s.VerifyToken(ctx, saasID, challenge, use); err != nil {
		return c, "", m, now, err
	}
	now = s.cfg.Now()
	var f Failures
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
	if err == nil && now.Before(f.LockedUntil) {
		err = locked(f.LockedUntil.Sub(now))
	}
	return c, key, m, now, userNotFound(err, c.Subject)
}

// wrongCode records a wrong app code as a failed sign-in of the login.
func (s *Service) wrongCode(ctx context.Context, saasID, key string, now time.Time) error {
	if err := s.failSignIn(ctx, saasID, key, now); errs.KindOf(err) != errs.KindUnauthorized {
		return err // locked now, or a store error
	}
	return errs.E(errs.KindUnauthorized, "the code is not the authenticator app's current one").WithType(TypeMFAFailed)
}
