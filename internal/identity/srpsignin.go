package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/srp"
)

// SRP sign-in: Cognito's USER_SRP_AUTH, which the Auth API's POST
// /sign-in and POST /sign-in/challenge carry, for apps that sign users in
// with their own form instead of the hosted page. The password never
// crosses the network: the app proves it knows it (internal/srp). The
// rules around the proof are those of the hosted sign-in: the same
// lockout, the same answer for an unknown login and a wrong password, the
// same temporary-password and second-factor challenges after it.
//
// The pool name of a SaaS's SRP is its id, and the user id for SRP is the
// user's id (never their login, so that an email change keeps the
// verifier good). A Cognito client library computes the pool name from a
// user pool id by what follows its "_": configure it with
// "saasplane_{saas_id}".

// ChallengePasswordVerifier is the challenge of a started SRP sign-in.
const ChallengePasswordVerifier = "PASSWORD_VERIFIER"

// SRPChallengeTTL is how long a started SRP sign-in waits for its proof
// (Cognito's session lasts 3 minutes too); SRPClockSkew how far the
// proof's TIMESTAMP may be from the server's clock.
const (
	SRPChallengeTTL = 3 * time.Minute
	SRPClockSkew    = 5 * time.Minute
)

// TypeInvalidSession is the error type of an SRP proof or challenge
// answer whose session is unknown, answered already or expired.
const TypeInvalidSession = "invalid_session"

// SRPChallenge is a started SRP sign-in as stored until its proof: the
// login it was started for, the user (or "" for a login nobody has), and
// the server's side of the exchange, in hex.
type SRPChallenge struct {
	SessionHash      SecretHash
	UserID, LoginKey string
	PublicA, PublicB string
	SecretB          string
	ExpiresAt        time.Time
}

// SRPStart is the PASSWORD_VERIFIER challenge handed to the client.
type SRPStart struct {
	Session, Salt, PublicB, SecretBlock, UserIDForSRP, Username string
}

// SRPProof is the client's answer to PASSWORD_VERIFIER.
type SRPProof struct {
	Session, Username, SecretBlock, Signature, Timestamp string
}

// StartSRPSignIn begins an SRP sign-in of a login with the client's
// public value A (hex). A login no user has gets a challenge that looks
// like a real one (its salt and user id stay the same from call to call,
// on every node) and that no proof answers. A locked login is refused
// here already.
func (s *Service) StartSRPSignIn(ctx context.Context, saasID, username, aHex string) (SRPStart, error) {
	var fe errs.FieldErrors
	fe.Required("sign_in_parameters.USERNAME", username)
	fe.Required("sign_in_parameters.SRP_A", aHex)
	A, ok := srp.ParseHex(aHex)
	if aHex != "" && (!ok || !srp.ValidPublic(A)) {
		fe.Add("sign_in_parameters.SRP_A", "must be the client's SRP public value A, in hex, not 0 mod N")
	}
	if err := fe.Err(); err != nil {
		return SRPStart{}, err
	}
	emailKey, signInKey := loginKey(username)
	key := emailKey + signInKey
	if key == "" || len(key) > MaxEmailLen {
		return SRPStart{}, wrongSignIn()
	}
	now := s.cfg.Now()
	st, err := s.loginState(ctx, saasID, emailKey, signInKey)
	if err != nil {
		return SRPStart{}, err
	}
	u, stored := st.user, st.password
	if now.Before(st.failures.LockedUntil) {
		return SRPStart{}, locked(st.failures.LockedUntil.Sub(now))
	}
	// The stand-in is computed for every login, known or not, so that
	// the time taken tells nothing.
	salt, verifier, userID, err := s.madeUpVerifier(ctx, saasID, key, st.poolSecret)
	if err != nil {
		return SRPStart{}, err
	}
	if stored.SRPVerifier != "" {
		salt, verifier, userID = stored.SRPSalt, stored.SRPVerifier, u.ID
	}
	v, _ := srp.ParseHex(verifier)
	b, err := randomSecret(s.cfg.Random)
	if err != nil {
		return SRPStart{}, err
	}
	session, hash, err := NewSecret(s.cfg.Random)
	if err != nil {
		return SRPStart{}, err
	}
	c := SRPChallenge{SessionHash: hash, UserID: u.ID, LoginKey: key, PublicA: srp.PadHex(A),
		PublicB: srp.PadHex(srp.PublicB(v, b)), SecretB: srp.PadHex(b), ExpiresAt: now.Add(SRPChallengeTTL)}
	if err := s.store.WriteTx(ctx, func(tx Tx) error {
		if err := tx.PurgeSRPChallenges(ctx, saasID, now); err != nil {
			return err
		}
		return tx.InsertSRPChallenge(ctx, saasID, c)
	}); err != nil {
		return SRPStart{}, err
	}
	return SRPStart{Session: session, Salt: salt, PublicB: c.PublicB, UserIDForSRP: userID, Username: userID,
		SecretBlock: base64.StdEncoding.EncodeToString([]byte(session))}, nil
}

// AnswerSRP checks the client's proof of a started SRP sign-in. A wrong
// proof counts as a failed sign-in of the login, like a wrong password;
// a right one goes on as a right password does (passwordAccepted). The
// session is spent either way.
func (s *Service) AnswerSRP(ctx context.Context, saasID string, p SRPProof) (SignInResult, error) {
	now := s.cfg.Now()
	var fe errs.FieldErrors
	fe.Required("challenge_responses.USERNAME", p.Username)
	fe.Required("challenge_responses.PASSWORD_CLAIM_SECRET_BLOCK", p.SecretBlock)
	fe.Required("challenge_responses.PASSWORD_CLAIM_SIGNATURE", p.Signature)
	fe.Required("challenge_responses.TIMESTAMP", p.Timestamp)
	block, blockErr := base64.StdEncoding.DecodeString(p.SecretBlock)
	if p.SecretBlock != "" && (blockErr != nil || !WellFormedSecret(string(block))) {
		fe.Add("challenge_responses.PASSWORD_CLAIM_SECRET_BLOCK", "must be the SECRET_BLOCK of the challenge, as it was handed out")
	}
	sig, sigErr := base64.StdEncoding.DecodeString(p.Signature)
	if p.Signature != "" && (sigErr != nil || len(sig) != sha256.Size) {
		fe.Add("challenge_responses.PASSWORD_CLAIM_SIGNATURE", "must be an HMAC-SHA256 in base64")
	}
	if at, err := time.Parse(srp.TimestampLayout, p.Timestamp); p.Timestamp != "" && (err != nil || at.Sub(now).Abs() > SRPClockSkew) {
		fe.Add("challenge_responses.TIMESTAMP", "must be the current time in UTC, written like %q", srp.Timestamp(now))
	}
	if p.Session != "" && p.Session != string(block) {
		fe.Add("session", "must be the session of the challenge whose SECRET_BLOCK is answered")
	}
	if err := fe.Err(); err != nil {
		return SignInResult{}, err
	}
	var c SRPChallenge
	var st loginState
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		if c, err = tx.TakeSRPChallenge(ctx, saasID, HashSecret(string(block))); err != nil {
			return err
		}
		if st.poolState, err = poolStateIn(ctx, tx, saasID); err != nil {
			return err
		}
		if st.failures, err = tx.SignInFailures(ctx, saasID, c.LoginKey); err != nil || c.UserID == "" {
			return err
		}
		u, err := tx.User(ctx, saasID, c.UserID)
		if errors.Is(err, errs.ErrNotExist) {
			return nil // deleted since: the proof fails like an unknown login's
		} else if err != nil {
			return err
		}
		if st.user, st.password, err = tx.UserCredentials(ctx, saasID, userKey(u.Email), userKey(u.SignInID)); err != nil {
			return err
		}
		st.mfa, err = tx.MFA(ctx, saasID, u.ID)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) || (err == nil && !now.Before(c.ExpiresAt)) {
		return SignInResult{}, errs.E(errs.KindUnauthorized, "the sign-in session is unknown, answered already or expired: start again with POST /v1/auth/sign-in").WithType(TypeInvalidSession)
	}
	if err != nil {
		return SignInResult{}, err
	}
	if now.Before(st.failures.LockedUntil) {
		return SignInResult{}, locked(st.failures.LockedUntil.Sub(now))
	}
	// The same arithmetic runs for every login, known or not, so that the
	// time taken tells nothing; only a known user's proof can match.
	u, stored := st.user, st.password
	_, verifier, userID, err := s.madeUpVerifier(ctx, saasID, c.LoginKey, st.poolSecret)
	if err != nil {
		return SignInResult{}, err
	}
	if stored.SRPVerifier != "" {
		userID, verifier = u.ID, stored.SRPVerifier
	}
	v, _ := srp.ParseHex(verifier)
	A, _ := srp.ParseHex(c.PublicA)
	B, _ := srp.ParseHex(c.PublicB)
	b, _ := srp.ParseHex(c.SecretB)
	key, err := srp.ServerKey(A, B, v, b)
	if err != nil {
		return SignInResult{}, err // A was checked when the sign-in started
	}
	want := srp.Signature(key, saasID, userID, block, p.Timestamp)
	named := p.Username == userID || userKey(p.Username) == c.LoginKey
	if !hmac.Equal(want, sig) || !named || u.ID == "" || stored.SRPVerifier == "" {
		return SignInResult{}, s.failSignIn(ctx, saasID, c.LoginKey, now)
	}
	return s.passwordAccepted(ctx, saasID, st, c.LoginKey, now, Password{})
}

// madeUpVerifier is the stand-in of a login without a verifier: salt,
// verifier and user id derived from the SaaS's pool secret and the login
// key, so that they are the same on every call and every node. stored is
// the pool secret as read with the sign-in ("" when none is made yet).
func (s *Service) madeUpVerifier(ctx context.Context, saasID, key, stored string) (salt, verifier, userID string, err error) {
	secret, err := s.poolSecret(ctx, saasID, stored)
	if err != nil {
		return "", "", "", err
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label + "\x00" + key))
		return m.Sum(nil)
	}
	saltN := new(big.Int).SetBytes(derive("salt")[:16])
	v := srp.Verifier(saasID, key, hex.EncodeToString(derive("password")), saltN)
	id := derive("user")
	id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80 // the shape of a version 4 UUID, like real user ids
	return srp.PadHex(saltN), srp.PadHex(v), fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16]), nil
}

// poolSecret is the SaaS's secret for made-up verifiers: stored, as read
// with the sign-in, or made and stored now, at its first use.
func (s *Service) poolSecret(ctx context.Context, saasID, stored string) ([]byte, error) {
	if stored == "" {
		fresh := make([]byte, srp.SecretLen)
		if _, err := io.ReadFull(s.cfg.Random, fresh); err != nil {
			return nil, fmt.Errorf("identity: pool secret: %w", err)
		}
		if err := s.store.WriteTx(ctx, func(tx Tx) error {
			st, err := tx.Settings(ctx, saasID)
			if err != nil {
				return err
			}
			if stored = st.PoolSecret; stored != "" {
				return nil // another sign-in made it first: keep theirs
			}
			st.PoolSecret, stored = hex.EncodeToString(fresh), hex.EncodeToString(fresh)
			return tx.SaveSettings(ctx, saasID, st)
		}); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(stored)
}

// addVerifier gives a password being stored its SRP salt and verifier.
func (s *Service) addVerifier(p *Password, saasID, userID, password string) error {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		return fmt.Errorf("identity: SRP salt: %w", err)
	}
	salt := new(big.Int).SetBytes(b)
	p.SRPSalt, p.SRPVerifier = srp.PadHex(salt), srp.PadHex(srp.Verifier(saasID, userID, password, salt))
	return nil
}

// randomSecret draws the server's SRP secret b.
func randomSecret(random io.Reader) (*big.Int, error) {
	b := make([]byte, srp.SecretLen)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("identity: SRP secret: %w", err)
	}
	return new(big.Int).SetBytes(b), nil
}
