package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/saasplane/saasplane/internal/identity"
)

// Users' second factor (migration identity_mfa).

func (x identityTx) MFA(ctx context.Context, saasID, userID string) (identity.MFA, error) {
	var m identity.MFA
	err := x.t.queryRow(ctx, `SELECT pending_secret, secret, enabled, last_step FROM identity_mfa WHERE saas_id = ? AND user_id = ?`,
		saasID, userID).Scan(&m.PendingSecret, &m.Secret, &m.Enabled, &m.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.MFA{}, nil
	}
	return m, err
}

func (x identityTx) SaveMFA(ctx context.Context, saasID, userID string, m identity.MFA) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_mfa (saas_id, user_id, pending_secret, secret, enabled, last_step) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, user_id) DO UPDATE SET pending_secret = excluded.pending_secret, secret = excluded.secret,
		enabled = excluded.enabled, last_step = excluded.last_step`, saasID, userID, m.PendingSecret, m.Secret, m.Enabled, m.LastStep)
	return err
}
