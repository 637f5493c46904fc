package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Sign-in: users' password hashes and failed sign-ins (migration
// identity_sign_in_failures).

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
	u, err := scanUser(scanWith(x.t.queryRow(ctx, `SELECT `+userColumns+`, password_hash, password_temporary_until
		FROM identity_users WHERE saas_id = ? AND `+col+` = ?`, saasID, key), &p.Hash, &until))
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
