package identity

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Signing in: a login (email or sign-in id) and a password become a
// session. The answer never tells an unknown login from a wrong password,
// in words or in time: an unknown login is checked against a dummy hash
// of the same cost. Repeated failures lock the login, known or not, so
// that the lock tells nothing either.

// Lockout is the rule for failed sign-ins of one login.
type Lockout struct {
	MaxFailures int           // failures in Window that lock the login
	Window      time.Duration // failures older than this are forgotten
	LockFor     time.Duration // how long a locked login stays locked
}

// DefaultLockout locks a login for 15 minutes after 5 failures within 15
// minutes.
var DefaultLockout = Lockout{MaxFailures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}

// Failures are the recent failed sign-ins of one login.
type Failures struct {
	Count       int
	FirstAt     time.Time // the first failure of the window
	LockedUntil time.Time // zero: not locked
}

// record adds a failure at now under rule l and returns the new state.
func (f Failures) record(now time.Time, l Lockout) Failures {
	if f.Count == 0 || !now.Before(f.FirstAt.Add(l.Window)) {
		f = Failures{FirstAt: now}
	}
	f.Count++
	if f.Count >= l.MaxFailures {
		f.LockedUntil = now.Add(l.LockFor)
		f.Count, f.FirstAt = 0, now
	}
	return f
}

// The error types of a failed sign-in.
const (
	TypeSignInFailed = "sign_in_failed"
	TypeLocked       = "sign_in_locked"
)

// loginKey is the stored key a login is found by, and which of email or
// sign-in id it is: a sign-in id never holds '@'.
func loginKey(login string) (emailKey, signInKey string) {
	k := userKey(strings.TrimSpace(login))
	if strings.Contains(k, "@") {
		return k, ""
	}
	return "", k
}

// SignInResult is a successful sign-in: the tokens of a new session, or
// a challenge that must be answered first: a temporary password's
// (ChallengeNewPassword, answered by CompleteNewPassword) or the second
// factor's (ChallengeMFA, answered by CompleteMFA; ChallengeMFASetup,
// answered by CompleteMFASetup).
type SignInResult struct {
	Tokens        Tokens
	Challenge     string // the challenge token
	ChallengeName string
	UserID        string // whose challenge it is
	// Setup is the authenticator app's new secret, for ChallengeMFASetup.
	Setup TOTPSetup
}

// The challenges of a sign-in, named as upstream (and Cognito) name them.
const (
	ChallengeNewPassword = "NEW_PASSWORD_REQUIRED"
	ChallengeMFA         = "SOFTWARE_TOKEN_MFA"
	ChallengeMFASetup    = "MFA_SETUP" // the SaaS requires a second factor, and the user has none yet
)

// TypeTemporaryExpired is the error type of a right temporary password
// past its validity.
const TypeTemporaryExpired = "temporary_password_expired"

// NewPasswordChallengeTTL is how long a user has to choose a new
// password after signing in with a temporary one.
const NewPasswordChallengeTTL = 5 * time.Minute

// SignIn checks a login and password and opens a session: the tokens of a
// successful sign-in. A wrong password or unknown login is
// errs.KindUnauthorized of type sign_in_failed; a locked login is
// errs.KindRateLimited of type sign_in_locked, whatever the password. A
// right temporary password opens no session: it answers a challenge for
// the new password that must replace it.
func (s *Service) SignIn(ctx context.Context, saasID, login, password string) (SignInResult, error) {
	emailKey, signInKey := loginKey(login)
	key := emailKey + signInKey
	now := s.cfg.Now()
	st, err := s.loginState(ctx, saasID, emailKey, signInKey)
	if err != nil {
		return SignInResult{}, err
	}
	u, stored := st.user, st.password
	if now.Before(st.failures.LockedUntil) {
		return SignInResult{}, locked(st.failures.LockedUntil.Sub(now))
	}
	known := stored.Hash != ""
	hash := stored.Hash
	if !known {
		hash = s.dummyHash
	}
	if key == "" || len(key) > MaxEmailLen || VerifyPassword(hash, password) != nil || !known {
		return SignInResult{}, s.failSignIn(ctx, saasID, key, now)
	}
	// A hash at other settings, or a password stored before saasplane
	// kept SRP verifiers, is stored again now that the password is known.
	var upgrade Password
	if NeedsRehash(stored.Hash, s.cfg.Argon2) || stored.SRPVerifier == "" {
		if upgrade, err = s.newPassword(saasID, u.ID, password, 0); err != nil {
			return SignInResult{}, err
		}
		upgrade.TemporaryUntil = stored.TemporaryUntil
	}
	return s.passwordAccepted(ctx, saasID, st, key, now, upgrade)
}

// passwordAccepted is what follows a right password, however it was
// checked (typed on the hosted page, or proved in an SRP sign-in): a
// temporary one's challenge, the second factor's, or a new session. A
// non-zero upgrade replaces the stored password in the same step.
func (s *Service) passwordAccepted(ctx context.Context, saasID string, st loginState, key string, now time.Time, upgrade Password) (SignInResult, error) {
	u, stored, mfa := st.user, st.password, st.mfa
	store := func(tx Tx) error {
		if upgrade.Hash == "" {
			return nil
		}
		return tx.SetPassword(ctx, saasID, u.ID, upgrade)
	}
	if stored.Temporary() && !now.Before(stored.TemporaryUntil) {
		return SignInResult{}, errs.E(errs.KindUnauthorized, "the temporary password has expired: ask for a new one").WithType(TypeTemporaryExpired)
	}
	second := needsSecondFactor(mfa, st.mfaRequired)
	if stored.Temporary() || second {
		if err := s.store.WriteTx(ctx, store); err != nil {
			return SignInResult{}, err
		}
	}
	if stored.Temporary() {
		challenge, err := s.SignToken(ctx, saasID, Token{Use: UseNewPassword, UserID: u.ID, SessionID: s.cfg.NewID(),
			ID: s.cfg.NewID(), IssuedAt: now, TTL: NewPasswordChallengeTTL})
		return SignInResult{Challenge: challenge, ChallengeName: ChallengeNewPassword, UserID: u.ID}, err
	}
	if second {
		return s.secondFactorChallenge(ctx, saasID, u, mfa)
	}
	t, err := s.startSession(ctx, saasID, u.ID, func(tx Tx) error {
		if err := tx.ClearSignInFailures(ctx, saasID, key); err != nil {
			return err
		}
		return store(tx)
	})
	return SignInResult{Tokens: t}, err
}

// CompleteNewPassword answers the challenge of a sign-in with a temporary
// password: the user's new password replaces it (it must meet the policy
// and differ from the temporary one), and a session opens. A challenge
// that is malformed, expired, of another SaaS or spent already is
// errs.KindUnauthorized.
func (s *Service) CompleteNewPassword(ctx context.Context, saasID, challenge, password string) (SignInResult, error) {
	c, err := s.VerifyToken(ctx, saasID, challenge, UseNewPassword)
	if err != nil {
		return SignInResult{}, err
	}
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return SignInResult{}, err
	}
	if err := pol.Check("password", password); err != nil {
		return SignInResult{}, err
	}
	p, err := s.newPassword(saasID, c.Subject, password, 0)
	if err != nil {
		return SignInResult{}, err
	}
	set := func(tx Tx) error {
		u, err := tx.User(ctx, saasID, c.Subject)
		if err != nil {
			return err
		}
		emailKey, signInKey := userKey(u.Email), userKey(u.SignInID)
		_, old, err := tx.UserCredentials(ctx, saasID, emailKey, signInKey)
		if err != nil {
			return err
		}
		if !old.Temporary() {
			return invalidToken("the challenge was answered already: sign in with your password")
		}
		if VerifyPassword(old.Hash, password) == nil {
			var fe errs.FieldErrors
			fe.Add("password", "must differ from the temporary password")
			return fe.Err()
		}
		if err := tx.ClearSignInFailures(ctx, saasID, emailKey+signInKey); err != nil {
			return err
		}
		return tx.SetPassword(ctx, saasID, u.ID, p)
	}
	// With a second factor to ask for (or to set up), the new password is
	// stored and the code comes next; otherwise the session opens in the
	// same transaction.
	var u User
	var m MFA
	var pool poolState
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if u, err = tx.User(ctx, saasID, c.Subject); err != nil {
			return err
		}
		if m, err = tx.MFA(ctx, saasID, c.Subject); err != nil {
			return err
		}
		pool, err = poolStateIn(ctx, tx, saasID)
		return err
	}); err != nil {
		return SignInResult{}, userNotFound(err, c.Subject)
	}
	if needsSecondFactor(m, pool.mfaRequired) {
		if err := s.store.WriteTx(ctx, set); err != nil {
			return SignInResult{}, userNotFound(err, c.Subject)
		}
		return s.secondFactorChallenge(ctx, saasID, u, m)
	}
	t, err := s.startSession(ctx, saasID, c.Subject, set)
	return SignInResult{Tokens: t}, err
}

// loginState is what a sign-in of a login reads: its recent failures,
// the user who has it (zero when none) with their password and MFA, and
// the user pool's settings that a sign-in follows.
type loginState struct {
	failures Failures
	user     User
	password Password
	mfa      MFA
	poolState
}

// poolState is what a sign-in reads of the SaaS's settings: whether MFA
// is required of every user, and the secret of made-up SRP verifiers
// ("" until the first SRP sign-in makes it).
type poolState struct {
	mfaRequired bool
	poolSecret  string
}

func poolStateIn(ctx context.Context, tx Tx, saasID string) (poolState, error) {
	st, err := tx.Settings(ctx, saasID)
	if err != nil {
		return poolState{}, err
	}
	si, err := decodeSignInSettings(st.SignIn)
	return poolState{mfaRequired: si.MFARequired, poolSecret: st.PoolSecret}, err
}

func (s *Service) loginState(ctx context.Context, saasID, emailKey, signInKey string) (st loginState, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if st.poolState, err = poolStateIn(ctx, tx, saasID); err != nil {
			return err
		}
		if st.failures, err = tx.SignInFailures(ctx, saasID, emailKey+signInKey); err != nil {
			return err
		}
		st.user, st.password, err = tx.UserCredentials(ctx, saasID, emailKey, signInKey)
		if errors.Is(err, errs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		st.mfa, err = tx.MFA(ctx, saasID, st.user.ID)
		return err
	})
	return st, err
}

// wrongSignIn is the answer to a wrong password or an unknown login.
func wrongSignIn() error {
	return errs.E(errs.KindUnauthorized, "the sign-in id or email, or the password, is not right").WithType(TypeSignInFailed)
}

// failSignIn records a failure of the login, and answers it.
func (s *Service) failSignIn(ctx context.Context, saasID, key string, now time.Time) error {
	if key == "" || len(key) > MaxEmailLen {
		return wrongSignIn()
	}
	var f Failures
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		if f, err = tx.SignInFailures(ctx, saasID, key); err != nil {
			return err
		}
		f = f.record(now, DefaultLockout)
		return tx.SaveSignInFailures(ctx, saasID, key, f)
	})
	if err != nil {
		return err
	}
	if now.Before(f.LockedUntil) {
		return locked(f.LockedUntil.Sub(now))
	}
	return wrongSignIn()
}

func locked(left time.Duration) error {
	minutes := int(left.Round(time.Minute) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	return errs.E(errs.KindRateLimited, "too many failed sign-ins: try again in %d minutes", minutes).WithType(TypeLocked)
}

// TypeNoCallback is the error type of a sign-in to a SaaS that has set no
// callback URL: there is nowhere to send the user.
const TypeNoCallback = "no_callback_url"

// Step is where a hosted sign-in goes next: To, the callback URL with
// the code of the new session, or the page of a challenge.
type Step struct {
	To                       string
	Challenge, ChallengeName string
	Setup                    TOTPSetup // of ChallengeMFASetup
	Invitation               string    // accepted once the challenges are answered
}

// SignInToCallback is the hosted page's sign-in: SignIn, then the tokens
// stored under a temporary code and the SaaS's callback URL with that
// code, or the challenge to answer first. A SaaS without a callback URL
// is errs.KindConflict of type no_callback_url, before any password check.
func (s *Service) SignInToCallback(ctx context.Context, saasID, login, password string) (Step, error) {
	callback, err := s.callback(ctx, saasID)
	if err != nil {
		return Step{}, err
	}
	res, err := s.SignIn(ctx, saasID, login, password)
	return s.next(ctx, saasID, callback, res, err)
}

// NewPasswordToCallback is CompleteNewPassword on the hosted page. A
// non-empty invitation is accepted once the sign-in is complete (see
// AcceptToCallback).
func (s *Service) NewPasswordToCallback(ctx context.Context, saasID, challenge, password, invitation string) (Step, error) {
	callback, err := s.callback(ctx, saasID)
	if err != nil {
		return Step{}, err
	}
	res, err := s.CompleteNewPassword(ctx, saasID, challenge, password)
	return s.nextAccepting(ctx, saasID, callback, res, err, invitation)
}

// MFAToCallback is CompleteMFA on the hosted page, accepting invitation
// as NewPasswordToCallback does.
func (s *Service) MFAToCallback(ctx context.Context, saasID, challenge, code, invitation string) (Step, error) {
	callback, err := s.callback(ctx, saasID)
	if err != nil {
		return Step{}, err
	}
	t, err := s.CompleteMFA(ctx, saasID, challenge, code)
	return s.nextAccepting(ctx, saasID, callback, SignInResult{Tokens: t}, err, invitation)
}

// MFASetupToCallback is CompleteMFASetup on the hosted page, accepting
// invitation as NewPasswordToCallback does.
func (s *Service) MFASetupToCallback(ctx context.Context, saasID, challenge, code, invitation string) (Step, error) {
	callback, err := s.callback(ctx, saasID)
	if err != nil {
		return Step{}, err
	}
	t, err := s.CompleteMFASetup(ctx, saasID, challenge, code)
	return s.nextAccepting(ctx, saasID, callback, SignInResult{Tokens: t}, err, invitation)
}

func (s *Service) next(ctx context.Context, saasID, callback string, res SignInResult, err error) (Step, error) {
	return s.nextAccepting(ctx, saasID, callback, res, err, "")
}

// nextAccepting is next, accepting the invitation (when not "") with the
// session's access token before the browser goes to the callback: the
// last step of an acceptance that went through challenges. The invitation
// must be for the signed-in user's email, so a forged one accepts nothing
// of anyone else's.
func (s *Service) nextAccepting(ctx context.Context, saasID, callback string, res SignInResult, err error, invitation string) (Step, error) {
	if err != nil || res.Challenge != "" {
		return Step{Challenge: res.Challenge, ChallengeName: res.ChallengeName, Setup: res.Setup, Invitation: invitation}, err
	}
	if invitation != "" {
		if _, err := s.AcceptInvitation(ctx, saasID, invitation, Acceptance{AccessToken: res.Tokens.AccessToken}); err != nil {
			return Step{}, err
		}
	}
	to, err := s.codeToCallback(ctx, saasID, callback, res.Tokens)
	return Step{To: to}, err
}

func (s *Service) callback(ctx context.Context, saasID string) (string, error) {
	st, err := s.Settings(ctx, saasID)
	if err == nil && st.CallbackURL == "" {
		err = errs.Conflict("the SaaS has no callback URL: set one with PUT /v1/auth/auth-info").WithType(TypeNoCallback)
	}
	return st.CallbackURL, err
}

func (s *Service) codeToCallback(ctx context.Context, saasID, callback string, t Tokens) (string, error) {
	code, err := s.issueCode(ctx, saasID, t)
	if err != nil {
		return "", err
	}
	return CallbackWithCode(callback, code)
}

// PurgeSignInFailures deletes the failure records of every SaaS whose
// window and lock have both passed, and counts them. The server runs it
// every five minutes (jobs.PurgeSignInFailures).
func (s *Service) PurgeSignInFailures(ctx context.Context) (n int64, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		n, err = tx.PurgeSignInFailures(ctx, s.cfg.Now(), DefaultLockout.Window)
		return err
	})
	return n, err
}

// CallbackWithCode is the SaaS's callback URL with code added to its
// query: where a signed-in browser goes next.
func CallbackWithCode(callback, code string) (string, error) {
	u, err := url.Parse(callback)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("code", code)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
