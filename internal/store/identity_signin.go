package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Sign-in: users' password hashes, failed sign-ins (migration
// identity_sign_in_failures), started SRP sign-ins (identity_srp) and
// pending resets of forgotten passwords (identity_password_resets).

func (x identityTx) UserCredentials(ctx context.Context, saasID, emailKey, signInKey string) (identity.User, identity.Password, error) {
	col, key := "email_key", emailKey
	if emailKey == "" {
		col, key = "sign_in_key", signInKey
	}
	var p identity.Password
	if key == "" {
		return identity.User{}, p, errs.ErrNotExist
	}
	var until int64
	u, err := scanUser(scanWith(x.t.queryRow(ctx, `SELECT `+userColumns+`, password_hash, password_temporary_until, password_srp_salt,
		password_srp_verifier FROM identity_users WHERE saas_id = ? AND `+col+` = ?`, saasID, key), &p.Hash, &until, &p.SRPSalt, &p.SRPVerifier))
	if errors.Is(err, sql.ErrNoRows) {
		return u, p, errs.ErrNotExist
	}
	p.TemporaryUntil = fromOptMicros(until)
	return u, p, err
}

func (x identityTx) SignInFailures(ctx context.Context, saasID, key string) (identity.Failures, error) {
	var f identity.Failures
	var first, locked int64
	err := x.t.queryRow(ctx, `SELECT failures, first_at, locked_until FROM identity_sign_in_failures WHERE saas_id = ? AND login_key = ?`,
		saasID, key).Scan(&f.Count, &first, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Failures{}, nil
	}
	f.FirstAt, f.LockedUntil = fromMicros(first), fromOptMicros(locked)
	return f, err
}

func (x identityTx) SaveSignInFailures(ctx context.Context, saasID, key string, f identity.Failures) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_sign_in_failures (saas_id, login_key, failures, first_at, locked_until) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, login_key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, locked_until = excluded.locked_until`,
		saasID, key, f.Count, micros(f.FirstAt), optMicros(f.LockedUntil))
	return err
}

func (x identityTx) ClearSignInFailures(ctx context.Context, saasID, key string) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_sign_in_failures WHERE saas_id = ? AND login_key = ?`, saasID, key)
	return err
}

func (x identityTx) PurgeSignInFailures(ctx context.Context, now time.Time, window time.Duration) (int64, error) {
	res, err := x.t.exec(ctx, `DELETE FROM identity_sign_in_failures WHERE locked_until <= ? AND first_at <= ?`,
		micros(now), micros(now.Add(-window)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (x identityTx) InsertSRPChallenge(ctx context.Context, saasID string, c identity.SRPChallenge) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_srp_challenges (saas_id, session_hash, user_id, login_key, public_a, public_b, secret_b, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, saasID, hex.EncodeToString(c.SessionHash[:]), c.UserID, c.LoginKey, c.PublicA, c.PublicB, c.SecretB,
		micros(c.ExpiresAt))
	return err
}

func (x identityTx) TakeSRPChallenge(ctx context.Context, saasID string, hash identity.SecretHash) (identity.SRPChallenge, error) {
	c := identity.SRPChallenge{SessionHash: hash}
	var expiresAt int64
	err := x.t.queryRow(ctx, `DELETE FROM identity_srp_challenges WHERE saas_id = ? AND session_hash = ?
		RETURNING user_id, login_key, public_a, public_b, secret_b, expires_at`, saasID, hex.EncodeToString(hash[:])).
		Scan(&c.UserID, &c.LoginKey, &c.PublicA, &c.PublicB, &c.SecretB, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.ErrNotExist
	}
	c.ExpiresAt = fromMicros(expiresAt)
	return c, err
}

func (x identityTx) PurgeSRPChallenges(ctx context.Context, saasID string, now time.Time) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_srp_challenges WHERE saas_id = ? AND expires_at <= ?`, saasID, micros(now))
	return err
}

func (x identityTx) PurgeExpiredSRPChallenges(ctx context.Context, now time.Time) (int64, error) {
	res, err := x.t.exec(ctx, `DELETE FROM identity_srp_challenges WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (x identityTx) PasswordReset(ctx context.Context, saasID, key string) (identity.PasswordReset, error) {
	var r identity.PasswordReset
	var hash string
	var expiresAt int64
	err := x.t.queryRow(ctx, `SELECT user_id, code_hash, attempts, expires_at FROM identity_password_resets WHERE saas_id = ? AND login_key = ?`,
		saasID, key).Scan(&r.UserID, &hash, &r.Attempts, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.ErrNotExist
	}
	if err != nil {
		return r, err
	}
	if b, err := hex.DecodeString(hash); err == nil {
		copy(r.CodeHash[:], b)
	}
	r.ExpiresAt = fromMicros(expiresAt)
	return r, nil
}

func (x identityTx) SavePasswordReset(ctx context.Context, saasID, key string, r identity.PasswordReset) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_password_resets (saas_id, login_key, user_id, code_hash, attempts, expires_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, login_key) DO UPDATE SET user_id = excluded.user_id, code_hash = excluded.code_hash, attempts = excluded.attempts,
		expires_at = excluded.expires_at`, saasID, key, r.UserID, hex.EncodeToString(r.CodeHash[:]), r.Attempts, micros(r.ExpiresAt))
	return err
}

func (x identityTx) DeletePasswordReset(ctx context.Context, saasID, key string) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_password_resets WHERE saas_id = ? AND login_key = ?`, saasID, key)
	return err
}

func (x identityTx) PurgeExpiredPasswordResets(ctx context.Context, now time.Time) (int64, error) {
	res, err := x.t.exec(ctx, `DELETE FROM identity_password_resets WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
