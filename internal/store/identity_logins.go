package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Users' logins: changing an email or sign-in id, and pending email
// changes (migration identity_email_changes).

func (x identityTx) SetLogin(ctx context.Context, saasID, id, email, signInID string) error {
	return affected(x.t.exec(ctx, `UPDATE identity_users SET email = ?, email_key = ?, sign_in_id = ?, sign_in_key = ? WHERE saas_id = ? AND id = ?`,
		email, strings.ToLower(email), signInID, strings.ToLower(signInID), saasID, id))
}

func (x identityTx) EmailChange(ctx context.Context, saasID, userID string) (identity.EmailChange, error) {
	var c identity.EmailChange
	var hash string
	var expires int64
	err := x.t.queryRow(ctx, `SELECT new_email, code_hash, expires_at, attempts FROM identity_email_changes WHERE saas_id = ? AND user_id = ?`,
		saasID, userID).Scan(&c.NewEmail, &hash, &expires, &c.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.ErrNotExist
	}
	if err != nil {
		return c, err
	}
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != len(c.CodeHash) {
		return c, errors.New("email change of " + userID + ": the code hash is not a SHA-256 in hex")
	}
	copy(c.CodeHash[:], b)
	c.ExpiresAt = fromMicros(expires)
	return c, nil
}

func (x identityTx) SaveEmailChange(ctx context.Context, saasID, userID string, c identity.EmailChange) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_email_changes (saas_id, user_id, new_email, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, user_id) DO UPDATE SET new_email = excluded.new_email, code_hash = excluded.code_hash,
		expires_at = excluded.expires_at, attempts = excluded.attempts`,
		saasID, userID, c.NewEmail, hex.EncodeToString(c.CodeHash[:]), micros(c.ExpiresAt), c.Attempts)
	return err
}

func (x identityTx) DeleteEmailChange(ctx context.Context, saasID, userID string) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_email_changes WHERE saas_id = ? AND user_id = ?`, saasID, userID)
	return err
}
