package identity

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Session is one sign-in of a user. Its refresh token renews its ID and
// access tokens until ExpiresAt; ending it (deleting it) makes all of its
// tokens worthless at once, before they expire.
type Session struct {
	ID          string
	UserID      string
	RefreshHash SecretHash
	CreatedAt   time.Time
	ExpiresAt   time.Time // the refresh token's end
}

// Tokens are what a sign-in or a refresh hands the SaaS's app.
type Tokens struct {
	IDToken, AccessToken string
	RefreshToken         string // only at sign-in; a refresh keeps the session's
	ExpiresIn            time.Duration
}

// StartSession opens a session for a user of the SaaS and issues its
// tokens: the end of every successful sign-in.
func (s *Service) StartSession(ctx context.Context, saasID, userID string) (Tokens, error) {
	return s.startSession(ctx, saasID, userID, nil)
}

// startSession is StartSession that also runs also(tx), when given, in
// the session's transaction.
func (s *Service) startSession(ctx context.Context, saasID, userID string, also func(Tx) error) (Tokens, error) {
	refresh, hash, err := NewSecret(s.cfg.Random)
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now()
	sess := Session{ID: s.cfg.NewID(), UserID: userID, RefreshHash: hash, CreatedAt: now, ExpiresAt: now.Add(s.cfg.Lifetimes.Refresh)}
	var u User
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		var err error
		if u, err = tx.User(ctx, saasID, userID); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return tx.InsertSession(ctx, saasID, sess)
	})
	if err != nil {
		return Tokens{}, userNotFound(err, userID)
	}
	t, err := s.sessionTokens(ctx, saasID, u, sess.ID, now)
	t.RefreshToken = refresh
	return t, err
}

// Refresh issues new ID and access tokens for the session of a refresh
// token. An unknown, expired or ended one is errs.KindUnauthorized.
func (s *Service) Refresh(ctx context.Context, saasID, refreshToken string) (Tokens, error) {
	if !WellFormedSecret(refreshToken) {
		return Tokens{}, invalidToken("the refresh token is not valid")
	}
	now := s.cfg.Now()
	var sess Session
	var u User
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.SessionByRefresh(ctx, saasID, HashSecret(refreshToken)); err != nil {
			return err
		}
		u, err = tx.User(ctx, saasID, sess.UserID)
		return err
	})
	switch {
	case errors.Is(err, errs.ErrNotExist):
		return Tokens{}, invalidToken("the refresh token is not valid")
	case err != nil:
		return Tokens{}, err
	case !now.Before(sess.ExpiresAt):
		return Tokens{}, invalidToken("the refresh token has expired")
	}
	return s.sessionTokens(ctx, saasID, u, sess.ID, now)
}

func (s *Service) sessionTokens(ctx context.Context, saasID string, u User, sessionID string, now time.Time) (Tokens, error) {
	base := Token{UserID: u.ID, SessionID: sessionID, Email: u.Email, IssuedAt: now}
	id, access := base, base
	id.Use, id.TTL, id.ID = UseID, s.cfg.Lifetimes.ID, s.cfg.NewID()
	access.Use, access.TTL, access.ID = UseAccess, s.cfg.Lifetimes.Access, s.cfg.NewID()
	var t Tokens
	var err error
	if t.IDToken, err = s.SignToken(ctx, saasID, id); err != nil {
		return Tokens{}, err
	}
	if t.AccessToken, err = s.SignToken(ctx, saasID, access); err != nil {
		return Tokens{}, err
	}
	t.ExpiresIn = s.cfg.Lifetimes.ID
	return t, nil
}

// UserOfToken returns the user a token of use speaks for: the token must
// verify (see VerifyToken), its session must not have ended or expired,
// and its user must still exist. Anything else is errs.KindUnauthorized.
func (s *Service) UserOfToken(ctx context.Context, saasID, raw string, use TokenUse) (User, error) {
	c, err := s.VerifyToken(ctx, saasID, raw, use)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.store.ReadTx(ctx, func(tx Tx) (err error) {
		u, err = s.sessionUser(ctx, tx, saasID, c)
		return err
	})
	return u, err
}

// sessionUser returns the user of a verified token's session, or
// errs.KindUnauthorized when the session has ended or expired.
func (s *Service) sessionUser(ctx context.Context, tx Tx, saasID string, c Claims) (User, error) {
	sess, u, err := tx.SessionUser(ctx, saasID, c.SessionID)
	if err = s.liveSession(sess, c, err); err != nil {
		return User{}, err
	}
	return u, nil
}

// liveSession checks the session read for a verified token (err is the
// read's): errs.KindUnauthorized when it has ended, expired, or is not
// the token's subject's.
func (s *Service) liveSession(sess Session, c Claims, err error) error {
	switch {
	case errors.Is(err, errs.ErrNotExist):
		return invalidToken("the token's session has ended")
	case err != nil:
		return err
	case sess.UserID != c.Subject:
		return invalidToken("the token's session is not its subject's")
	case !s.cfg.Now().Before(sess.ExpiresAt):
		return invalidToken("the token's session has expired")
	}
	return nil
}
