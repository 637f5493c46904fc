package identity

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Temporary codes hand a token set from where a user signed in (the
// hosted sign-in page's redirect, or POST /v1/auth/credentials) to the
// SaaS's app, which exchanges the code for the tokens once, within
// Lifetimes.TempCode. A code is a random UUID (122 random bits, as
// upstream's codes are UUIDs); only its SHA-256 is stored, with the token
// set, and the row goes when the code is used, or once expired at the
// SaaS's next code or the minutely purge, whichever comes first.

// TempCode is a stored token set waiting for its code.
type TempCode struct {
	Hash      SecretHash
	Tokens    Tokens
	ExpiresAt time.Time
}

// IssueCode stores tokens of the SaaS under a new temporary code and
// returns the code. The ID token must be a live ID token of the SaaS (see
// UserOfToken).
func (s *Service) IssueCode(ctx context.Context, saasID string, t Tokens) (string, error) {
	if _, err := s.UserOfToken(ctx, saasID, t.IDToken, UseID); err != nil {
		return "", err
	}
	return s.issueCode(ctx, saasID, t)
}

// issueCode stores t under a new temporary code.
func (s *Service) issueCode(ctx context.Context, saasID string, t Tokens) (string, error) {
	code := s.cfg.NewID()
	now := s.cfg.Now()
	c := TempCode{Hash: HashSecret(code), Tokens: t, ExpiresAt: now.Add(s.cfg.Lifetimes.TempCode)}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if err := tx.PurgeTempCodes(ctx, saasID, now); err != nil {
			return err
		}
		return tx.InsertTempCode(ctx, saasID, c)
	})
	return code, err
}

// ExchangeCode returns the tokens stored under a temporary code and
// spends the code: a second exchange, an unknown code or an expired one
// is errs.KindNotFound (upstream's answer to a bad code).
func (s *Service) ExchangeCode(ctx context.Context, saasID, code string) (Tokens, error) {
	now := s.cfg.Now()
	var c TempCode
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.TakeTempCode(ctx, saasID, HashSecret(code))
		return err
	})
	switch {
	case errors.Is(err, errs.ErrNotExist):
		return Tokens{}, errs.NotFound("no such temporary code: it is unknown, used already, or expired")
	case err != nil:
		return Tokens{}, err
	case !now.Before(c.ExpiresAt):
		return Tokens{}, errs.NotFound("no such temporary code: it is unknown, used already, or expired")
	}
	return c.Tokens, nil
}

// PurgeTempCodes deletes every SaaS's codes that expired unused, with
// their token sets, the SRP sign-ins that expired unanswered and the
// password resets whose code expired, and reports how many went. The server runs it every
// minute (jobs.PurgeTempCodes), so an unused code's tokens stay stored at
// most a minute past its expiry.
func (s *Service) PurgeTempCodes(ctx context.Context) (n int64, err error) {
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		codes, err := tx.PurgeExpiredTempCodes(ctx, s.cfg.Now())
		if err != nil {
			return err
		}
		srps, err := tx.PurgeExpiredSRPChallenges(ctx, s.cfg.Now())
		if err != nil {
			return err
		}
		resets, err := tx.PurgeExpiredPasswordResets(ctx, s.cfg.Now())
		n = codes + srps + resets
		return err
	})
	return n, err
}
